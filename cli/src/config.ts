/** The whole configuration: core's keys plus each package's section. */
import { composeConfigSchema, z } from '@edusentry/core';
import { analyzerConfigSchema } from '@edusentry/analyzer/config';
import { collectorConfigSchema } from '@edusentry/collector/config';
import { consoleConfigSchema } from '@edusentry/console-server/config';

export const configSchema = composeConfigSchema({
  collector: collectorConfigSchema.default({}),
  analyzer: analyzerConfigSchema.default({}),
  console: consoleConfigSchema.default({}),
  /** What `edusentry start` loads and keeps flowing on the demo province. */
  sample: z
    .object({
      historyEvents: z.number().int().min(0).default(20000),
      eventsPerSecond: z.number().int().min(0).default(5),
    })
    .strict()
    .default({}),
});

export type Config = z.infer<typeof configSchema>;
