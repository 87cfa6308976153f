/** Opening the console's state outside the server (CLI) and running the server (start, serve). */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EduError, type EventBus, type EventStore, type Logger, type OrgNode } from '@edusentry/core';
import type { FastifyInstance } from 'fastify';
import { policyDirOf } from '@edusentry/analyzer';
import { build } from './app';
import { assertPolicy, hashPassword } from './auth/password';
import { isRole, type Role } from './auth/roles';
import type { ConsoleConfig } from './config';
import { ConsoleState, type User } from './state';

export function statePathOf(config: ConsoleConfig, dataDir: string): string {
  return resolve(config.statePath ?? resolve(dataDir, 'console.db'));
}

/** Creates an account from the CLI (first administrator or any other), audited as actor "cli". */
export async function createAccount(
  state: ConsoleState,
  config: ConsoleConfig,
  a: { username: string; password: string; role: Role; orgId?: string; displayName?: string },
): Promise<User> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(a.username))
    throw new EduError(
      'EDU_ERR_USAGE',
      `--username "${a.username}" may only use letters, digits, "_", "." and "-" (1-64)`,
    );
  if (!isRole(a.role)) throw new EduError('EDU_ERR_USAGE', `--role "${a.role}" is not a role`);
  const roots = state.orgs.all().filter((o) => !o.parentId);
  const orgId = a.orgId ?? roots[0]?.id;
  if (!orgId || !state.orgs.get(orgId)) {
    throw new EduError(
      'EDU_ERR_USAGE',
      orgId
        ? `--org "${orgId}" is not an organisation (known roots: ${roots.map((r) => r.id).join(', ')})`
        : 'there is no organisation yet: run "edusentry start" once, or pass --org after creating one',
    );
  }
  if (state.users.byUsername(a.username)) throw new EduError('EDU_ERR_CONFLICT', `user "${a.username}" already exists`);
  try {
    assertPolicy(a.password, a.username, config.password);
  } catch (err) {
    throw new EduError('EDU_ERR_PASSWORD_POLICY', (err as Error).message.replace(/^password/, 'the password'));
  }
  const user = state.users.create({
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    orgId,
    passwordHash: await hashPassword(a.password),
  });
  state.audit.append({
    actor: 'cli',
    role: null,
    orgId,
    ip: null,
    action: 'user.create',
    target: user.id,
    details: { username: user.username, role: user.role, orgId, via: 'cli' },
  });
  return user;
}

/** Asks on the terminal without echoing (for passwords). */
export function prompt(question: string, hidden: boolean): Promise<string> {
  return new Promise((resolvePrompt) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (hidden) {
      const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
      out._writeToOutput = (s: string) => {
        if (s.startsWith(question)) out.output.write(question);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolvePrompt(answer);
    });
  });
}

export interface RunningConsole {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** Builds and listens; seeds the organisation tree on first run. */
export async function serveConsole(opts: {
  store: EventStore;
  bus: EventBus;
  config: ConsoleConfig;
  dataDir: string;
  log: Logger;
  orgs?: OrgNode[];
  /** The rule policy folder shared with the analyzer (its analyzer.policyDir); default rule-policy/ in dataDir. */
  rulePolicyDir?: string;
}): Promise<RunningConsole> {
  const app = await build({
    store: opts.store,
    bus: opts.bus,
    statePath: statePathOf(opts.config, opts.dataDir),
    rulePolicyDir: resolve(opts.rulePolicyDir || policyDirOf(opts.dataDir)),
    config: opts.config,
    log: opts.log,
  });
  if (opts.orgs?.length) app.ctx.state.orgs.seed(opts.orgs);
  try {
    await app.listen({ host: opts.config.host, port: opts.config.port });
  } catch (err) {
    await app.close();
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new EduError(
        'EDU_ERR_USAGE',
        `console: ${opts.config.host}:${opts.config.port} is already in use; set console.port in the configuration`,
      );
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.config.port;
  return {
    app,
    url: `${opts.config.tls ? 'https' : 'http'}://${opts.config.host.includes(':') ? `[${opts.config.host}]` : opts.config.host}:${port}`,
    close: () => app.close(),
  };
}
