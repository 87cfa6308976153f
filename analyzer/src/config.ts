import { z } from '@edusentry/core';

/** The `analyzer:` section of the YAML configuration. */
export const analyzerConfigSchema = z.object({}).strict();
export type AnalyzerConfig = z.infer<typeof analyzerConfigSchema>;
