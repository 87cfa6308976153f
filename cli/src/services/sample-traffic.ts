/**
 * Sample traffic for the demo province: a day of history on first start, then a
 * few events a second, so the analyzer and console have something live to show.
 */
import { iterateEvents, sampleProvince } from '@edusentry/sample';
import type { Service } from '../service';

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
    let seed = now;
    let writing = Promise.resolve();
    const timer = setInterval(() => {
      const t = Date.now();
      const events = [
        ...iterateEvents({ seed: seed++, count: perSecond, from: t - 1000, to: t, orgs: ctx.orgs, attackShare: 0.2 }),
      ];
      writing = writing
        .then(() => ctx.eventStore.write(events).then(() => undefined))
        .catch((err) => ctx.log.warn({ err }, 'sample traffic write failed'));
    }, 1000);
    return {
      info: `${history} events of history loaded, ${perSecond} new events/s flowing`,
      stop: async () => {
        clearInterval(timer);
        await writing;
      },
    };
  },
};

export const province = sampleProvince;
