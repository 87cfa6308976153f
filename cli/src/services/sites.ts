/**
 * The key-site monitor inside `edusentry start`: one scheduler over the registered sites
 * (re-read every 30 s, so imports and console edits take effect), results into the shared store,
 * where the analyzer turns new findings into alerts and the console reads the wall.
 */
import { SiteMonitor, SiteRegistry, Scheduler, storeWriter } from '@edusentry/sites';
import type { Service } from '../service';

export const service: Service = {
  name: 'sites',
  order: 40,
  async start(ctx) {
    const log = ctx.log.child({ service: 'sites' });
    const registry = SiteRegistry.open(ctx.dataDir);
    const names = new Map(ctx.orgs.map((o) => [o.id, o.name]));
    const cidrs = new Map(ctx.orgs.map((o) => [o.id, o.cidrs]));
    const monitor = new SiteMonitor({
      config: ctx.config.sites,
      dataDir: ctx.dataDir,
      observer: { id: ctx.config.observer.id, name: ctx.config.observer.name, type: 'sitemon' },
      log,
      orgName: (id) => names.get(id),
    });
    const scheduler = new Scheduler({
      monitor,
      config: ctx.config.sites,
      log,
      // A site without its own ranges is judged against its school's campus ranges (双非).
      sites: () => registry.list().map((s) => (s.ownCidrs.length ? s : { ...s, ownCidrs: cidrs.get(s.orgId) ?? [] })),
      write: storeWriter(ctx.eventStore, log),
    });
    scheduler.start();
    const n = scheduler.stats.sites;
    return {
      info: n ? `${n} sites watched` : 'no sites registered yet (edusentry sites import <file.csv>)',
      stop: async () => {
        await scheduler.stop();
        registry.close();
      },
    };
  },
};
