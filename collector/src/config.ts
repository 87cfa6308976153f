import { z } from '@edusentry/core';

/** The `collector:` section of the YAML configuration. */
export const collectorConfigSchema = z.object({}).strict();
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
