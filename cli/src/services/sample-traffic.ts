/**
 * Sample traffic for the demo province: a day of history on first start, then a demo
 * collector ("样例采集器") that replays a few events a second through the collector's own
 * shipper, with its heartbeats, so the analyzer, the console's 采集器 page and the posture
 * KPI have something live to show.
 */
import { join } from 'node:path';
import { createShipper } from '@edusentry/collector';
import { iterateEvents, sampleProvince } from '@edusentry/sample';
import type { Service } from '../service';

const OBSERVER = { id: 'collector-sample', name: '样例采集器' };

export const service: Service = {
  name: 'sample-traffic',
  order: 10,
  async start(ctx) {
    const now = Date.now();
    const history = ctx.config.sample.historyEvents;
    if (history > 0) {
      const gen = iterateEvents({ seed: 1, count: history, from: now - 86_400_000, to: now, orgs: ctx.orgs });
      let batch = [];
      for (const e of gen) {
        batch.push(e);
        if (batch.length === 5000) {
          await ctx.eventStore.write(batch);
          batch = [];
        }
      }
      await ctx.eventStore.write(batch);
    }
    const perSecond = ctx.config.sample.eventsPerSecond;
    if (perSecond <= 0) return { stop: async () => {}, info: `${history} events of history loaded` };
    // The province's collector: its heartbeats belong to the root of the tree.
    const root = ctx.orgs.find((o) => !o.parentId);
    const shipper = createShipper(ctx.eventStore, {
      ...ctx.config.collector.shipper,
      dataDir: join(ctx.dataDir, 'sample-collector'),
      observer: OBSERVER,
      organization: root ? { id: root.id, name: root.name } : undefined,
      log: ctx.log.child({ service: 'sample-traffic' }),
    });
    await shipper.heartbeat(); // online from the first second, not after the first interval
    await shipper.flush();
    let seed = now;
    let pushing = Promise.resolve();
    const timer = setInterval(() => {
      const t = Date.now();
      const events = [
        ...iterateEvents({
          seed: seed++,
          count: perSecond,
          from: t - 1000,
          to: t,
          orgs: ctx.orgs,
          observer: OBSERVER,
          attackShare: 0.2,
        }),
      ];
      pushing = pushing
        .then(() => shipper.push(events))
        .catch((err) => ctx.log.warn({ err }, 'sample collector could not ship'));
    }, 1000);
    return {
      info: `${history} events of history loaded; collector "${OBSERVER.name}" replaying ${perSecond} events/s`,
      stop: async () => {
        clearInterval(timer);
        await pushing;
        await shipper.close();
      },
    };
  },
};

export const province = sampleProvince;
