import { z } from '@edusentry/core';

/** The `collector.logs:` section of the YAML configuration. */
export const logsConfigSchema = z
  .object({
    /** Address the listeners bind to. */
    host: z.string().default('0.0.0.0'),
    syslog: z
      .object({
        maxMessageBytes: z
          .number()
          .int()
          .min(480)
          .default(64 * 1024),
        /** Messages waiting to be shipped beyond which UDP datagrams are dropped (counted). */
        maxPending: z.number().int().min(1).default(50000),
        /** RFC 3164 carries no zone: offset of the senders' local time from UTC, in minutes (China: 480). */
        tzOffsetMinutes: z.number().int().default(480),
        /** Per-source zone offsets, by sender address. */
        tzBySource: z.record(z.number().int()).default({}),
        tls: z
          .object({ cert: z.string().optional(), key: z.string().optional(), ca: z.string().optional() })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    flow: z
      .object({
        templateTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(30 * 60_000),
        maxPendingSets: z.number().int().min(0).default(4096),
        maxPending: z.number().int().min(1).default(100000),
      })
      .strict()
      .default({}),
    /** Device parser by sender address, e.g. { "10.0.0.1": "huawei-usg" }. */
    parsers: z.record(z.string()).default({}),
  })
  .strict();
export type LogsConfig = z.infer<typeof logsConfigSchema>;
