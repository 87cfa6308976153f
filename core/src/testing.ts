/**
 * For tests that need a real tool or node (tshark, tcpreplay, a network namespace, an OpenSearch
 * node): on a developer machine a missing one skips the tests with a note saying why; under
 * `CI=true` it is a failing test naming what is missing, so CI never passes by skipping.
 *
 *   const opensearch = requires(process.env.EDUSENTRY_TEST_OPENSEARCH_URL ? undefined : 'EDUSENTRY_TEST_OPENSEARCH_URL is not set');
 *   opensearch.describe('… on OpenSearch', () => { … });
 */
import { execFileSync } from 'node:child_process';

/** Why the tests cannot run here (undefined when everything is present). */
export type Missing = string | undefined;

/** `"tshark is not installed"` for the first of `commands` not on PATH, else undefined. */
export function missingCommands(...commands: string[]): Missing {
  for (const command of commands) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    } catch {
      return `${command} is not installed`;
    }
  }
  return undefined;
}

/** True under CI, where a missing requirement fails instead of skipping. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/** The error a CI run reports for a missing requirement. */
export function missingUnderCi(missing: string): Error {
  return new Error(
    `${missing}: under CI every tool and node a test needs must be present (deploy/test/test.apt, deploy/test/run-all.sh)`,
  );
}

export interface Gate {
  describe: jest.Describe;
  test: jest.It;
}

/**
 * `describe`/`test` (with `.each`) that run when `missing` is undefined; otherwise skipped with a
 * note, or under CI replaced by one failing test per block naming what is missing.
 */
export function requires(missing: Missing, env: NodeJS.ProcessEnv = process.env): Gate {
  if (missing === undefined) return { describe, test };
  if (!underCi(env)) {
    process.stdout.write(`skipping tests that need what is missing here: ${missing}\n`);
    return { describe: describe.skip, test: test.skip };
  }
  const fail = (name: string) =>
    test(`${name} (needs what is missing here)`, () => {
      throw missingUnderCi(missing);
    });
  const failing = Object.assign(fail, { each: () => fail, skip: fail, only: fail }) as unknown;
  return { describe: failing as jest.Describe, test: failing as jest.It };
}
