/** The console inside `edusentry start`: seeds the organisation tree on first run and serves API, SPA and live push. */
import { serveConsole } from '@edusentry/console-server';
import type { Service } from '../service';

export const service: Service = {
  name: 'console',
  order: 50,
  async start(ctx) {
    const running = await serveConsole({
      store: ctx.eventStore,
      bus: ctx.bus,
      config: ctx.config.console,
      dataDir: ctx.dataDir,
      log: ctx.log.child({ service: 'console' }),
      orgs: ctx.orgs,
      rulePolicyDir: ctx.config.analyzer.policyDir,
    });
    const noUsers = running.app.ctx.state.users.count() === 0;
    const hint = noUsers
      ? ' — no account yet: run "pnpm -s edusentry console create-admin" to create the first administrator'
      : '';
    return { info: `${running.url}${hint}`, stop: () => running.close() };
  },
};
