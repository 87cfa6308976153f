/**
 * The daily retention job inside `edusentry start` (core/src/store/retention.ts): deletes the
 * events and date-named indices past store.retentionDays where no ISM/ILM policy of the engine
 * does it, and writes what is in force to retention.json in the data directory.
 */
import { join } from 'node:path';
import { RetentionJob } from '@edusentry/core';
import type { Service } from '../service';

export const service: Service = {
  name: 'retention',
  order: 5,
  async start(ctx) {
    const job = new RetentionJob(ctx.eventStore, {
      statusFile: join(ctx.dataDir, 'retention.json'),
      log: ctx.log.child({ service: 'retention' }),
    });
    job.start();
    return {
      info: `daily, ${ctx.config.store.retentionDays} days`,
      stop: () => job.stop(),
    };
  },
};
