/** `edusentry console create-admin | audit verify | serve`: the console's accounts and audit trail by hand. */
import { EduError, EventBus } from '@edusentry/core';
import {
  auditCheckpointPath,
  ConsoleState,
  createAccount,
  prompt,
  serveConsole,
  statePathOf,
  type Role,
} from '@edusentry/console-server';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import { organizationsOf } from '../config';

export function register(program: Command): void {
  const cons = parent(program, 'console', 'the web console: accounts, audit trail, server');

  leaf<{ username?: string; password?: string; passwordStdin?: boolean; role: string; org?: string; name?: string }>(
    cons,
    'create-admin',
    'create the first administrator (or another account); there is never a default password',
    async (ctx, _a, opts) => {
      const username = opts.username ?? (process.stdin.isTTY ? (await prompt('username: ', false)).trim() : undefined);
      if (!username) throw new EduError('EDU_ERR_USAGE', 'give --username (or run in a terminal to be asked)');
      let password = opts.password;
      if (opts.passwordStdin) password = (await readStdin()).replace(/\r?\n$/, '');
      if (password === undefined) {
        if (!process.stdin.isTTY)
          throw new EduError('EDU_ERR_USAGE', 'give --password, --password-stdin, or run in a terminal to be asked');
        password = await prompt('password: ', true);
        if ((await prompt('repeat password: ', true)) !== password)
          throw new EduError('EDU_ERR_USAGE', 'the two passwords differ; nothing was created');
      }
      const state = new ConsoleState(statePathOf(ctx.config.console, ctx.dataDir));
      try {
        // Same tree `edusentry start` seeds, so the order of the two commands does not matter.
        state.orgs.seed(organizationsOf(ctx.config));
        const user = await createAccount(state, ctx.config.console, {
          username,
          password,
          role: opts.role as Role,
          orgId: opts.org,
          displayName: opts.name,
        });
        process.stdout.write(`created ${user.role} "${user.username}" at organisation ${user.orgId} (${state.path})\n`);
      } finally {
        state.close();
      }
    },
  )
    .option('--username <name>', 'login name (asked when omitted)')
    .option('--password <password>', 'password (asked without echo when omitted; visible in the shell history)')
    .option('--password-stdin', 'read the password from standard input')
    .option(
      '--role <role>',
      'sys_admin | sec_admin | audit_admin | province_monitor | city_monitor | school_officer | auditor',
      'sys_admin',
    )
    .option('--org <id>', 'organisation id (default: the root of the tree)')
    .option('--name <display>', 'display name');

  const auditCmd = parent(cons, 'audit', 'the operation audit trail');
  leaf<{ json?: boolean }>(
    auditCmd,
    'verify',
    'check the hash chain of the audit trail; exit 1 naming the first broken record',
    async (ctx, _a, opts) => {
      const state = new ConsoleState(statePathOf(ctx.config.console, ctx.dataDir));
      // Against the checkpoints the server writes, so a cut tail or a wipe is caught here too.
      state.audit.anchorTo(ctx.config.console.audit.checkpointPath ?? auditCheckpointPath(state.path), 'off');
      try {
        const r = state.audit.verify();
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
        else if (r.ok) process.stdout.write(`audit trail OK: ${r.count} records verified (${state.path})\n`);
        if (!r.ok)
          throw new EduError(
            'EDU_ERR_AUDIT_BROKEN',
            `audit trail broken at record ${r.firstBroken!.seq} (${r.firstBroken!.reason}${r.message ? `: ${r.message}` : ''}); ${r.count} records before it verify (${state.path})`,
          );
      } finally {
        state.close();
      }
    },
  ).option('--json', 'print the result as JSON');

  leaf(cons, 'serve', 'run only the console server on the configured store until Ctrl-C', async (ctx) => {
    const running = await serveConsole({
      store: await ctx.store(),
      bus: new EventBus(),
      config: ctx.config.console,
      dataDir: ctx.dataDir,
      log: ctx.log.child({ service: 'console' }),
      rulePolicyDir: ctx.config.analyzer.policyDir,
    });
    process.stdout.write(`console: ${running.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
  });
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c) => (data += c));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}
