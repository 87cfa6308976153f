/** The whole configuration: core's keys plus each package's section. */
import { composeConfigSchema, z } from '@edusentry/core';
import { analyzerConfigSchema } from '@edusentry/analyzer';
import { collectorConfigSchema } from '@edusentry/collector';
import { consoleConfigSchema } from '@edusentry/console-server';

export const configSchema = composeConfigSchema({
  collector: collectorConfigSchema.default({}),
  analyzer: analyzerConfigSchema.default({}),
  console: consoleConfigSchema.default({}),
});

export type Config = z.infer<typeof configSchema>;
