import { z } from '@edusentry/core';

/** The `collector.shipper:` section of the YAML configuration. */
export const shipperConfigSchema = z
  .object({
    /** Events per store write. */
    batchSize: z.number().int().min(1).default(1000),
    /** Longest time an event waits in memory before it is written. */
    flushIntervalMs: z.number().int().min(1).default(1000),
    /** Attempts per batch before it goes to the spool (retryable failures). */
    maxAttempts: z.number().int().min(1).default(3),
    backoffBaseMs: z.number().int().min(1).default(200),
    backoffMaxMs: z.number().int().min(1).default(30000),
    /** Events held in memory before push() waits for the store or the spool. */
    maxQueued: z.number().int().min(1).default(20000),
    spool: z
      .object({
        /** Relative to the data directory. */
        dir: z.string().default('spool'),
        segmentBytes: z
          .number()
          .int()
          .min(4096)
          .default(64 * 1024 * 1024),
        /** Beyond this, new events are dropped (and counted) rather than filling the disk. */
        maxBytes: z
          .number()
          .int()
          .min(4096)
          .default(10 * 1024 * 1024 * 1024),
        /** always: fsync every append; interval: every fsyncIntervalMs; never: leave it to the OS. */
        fsync: z.enum(['always', 'interval', 'never']).default('interval'),
        fsyncIntervalMs: z.number().int().min(1).default(1000),
      })
      .strict()
      .default({}),
    /** Relative to the data directory: NDJSON of events the store refused for good, with its reason. */
    deadLetterFile: z.string().default('dead-letter.ndjson'),
    heartbeatIntervalMs: z.number().int().min(0).default(30000),
  })
  .strict();
export type ShipperConfig = z.infer<typeof shipperConfigSchema>;
