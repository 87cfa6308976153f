/** Password hashing (argon2id) and the password policy. */
import argon2 from 'argon2';
import type { ConsoleConfig } from '../config';
import { apiError } from '../errors';

/** argon2 cost parameters; the library defaults unless a test asks for cheaper ones. */
export type HashCost = Pick<argon2.Options, 'memoryCost' | 'timeCost' | 'parallelism'>;

export function hashPassword(password: string, cost: HashCost = {}): Promise<string> {
  return argon2.hash(password, { ...cost, type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash (of the same cost as real ones) to verify against when no account's may be, so every path costs the same. */
const dummies = new Map<string, Promise<string>>();
export function dummyHash(cost: HashCost = {}): Promise<string> {
  const key = JSON.stringify(cost);
  let d = dummies.get(key);
  if (!d) dummies.set(key, (d = hashPassword('edusentry-no-such-user', cost)));
  return d;
}

/** What is wrong with `password`, or [] when it meets the policy. */
export function policyProblems(password: string, username: string, policy: ConsoleConfig['password']): string[] {
  const problems: string[] = [];
  if (password.length < policy.minLength) problems.push(`at least ${policy.minLength} characters`);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < policy.minClasses)
    problems.push(`at least ${policy.minClasses} of: lower case, upper case, digit, symbol`);
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    problems.push('must not contain the username');
  return problems;
}

export function assertPolicy(
  password: string,
  username: string,
  policy: ConsoleConfig['password'],
  field = 'password',
): void {
  const problems = policyProblems(password, username, policy);
  if (problems.length)
    throw apiError('EDU_ERR_PASSWORD_POLICY', `${field} does not meet the password policy: ${problems.join('; ')}`, {
      problems,
    });
}
