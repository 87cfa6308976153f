/**
 * `edusentry start`: the whole system in one process on the configured store
 * (embedded by default): every service in cli/src/services, until Ctrl-C.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '@edusentry/core';
import type { Command } from 'commander';
import { leaf } from '../command';
import { organizationsOf } from '../config';
import type { RunningService, Service, ServiceContext } from '../service';

export function loadServices(): Service[] {
  const dir = join(__dirname, '..', 'services');
  return readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => (require(join(dir, f)) as { service: Service }).service)
    .sort((a, b) => a.order - b.order);
}

export function register(program: Command): void {
  leaf<{ only?: string[] }>(
    program,
    'start',
    'start EduSentry on this machine (store, sample traffic, analyzer, console) until Ctrl-C',
    async (ctx, _a, opts) => {
      const eventStore = await ctx.store();
      await eventStore.init({ retentionDays: ctx.config.store.retentionDays });
      const sctx: ServiceContext = { ...ctx, bus: new EventBus(), eventStore, orgs: organizationsOf(ctx.config) };
      const services = loadServices().filter((s) => !opts.only || opts.only.includes(s.name));
      const running: [Service, RunningService][] = [];
      const stopAll = async () => {
        for (const [s, r] of running.reverse()) {
          await r.stop().catch((err) => ctx.log.error({ err, service: s.name }, 'service did not stop cleanly'));
        }
      };
      try {
        for (const s of services) running.push([s, await s.start(sctx)]);
      } catch (err) {
        await stopAll();
        throw err;
      }
      const keepAlive = setInterval(() => {}, 1 << 30); // the process lives until a signal, even with no service holding it
      const stopped = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const stats = await eventStore.stats();
      const out = [
        'EduSentry is running.',
        `  store:  ${stats.kind} at ${stats.location} (${stats.total} events, retention ${stats.retentionDays} days)`,
        ...running.map(([s, r]) => `  ${s.name}: ${r.info ?? 'running'}`),
        'Press Ctrl-C to stop.',
      ];
      process.stdout.write(out.join('\n') + '\n');
      await stopped;
      clearInterval(keepAlive);
      process.stdout.write('stopping...\n');
      await stopAll();
      process.stdout.write('stopped.\n');
    },
  ).option('--only <services...>', 'start only these services (e.g. sample-traffic analyzer)');
}
