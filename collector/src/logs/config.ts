import { z } from '@edusentry/core';

/** The `collector.logs:` section of the YAML configuration. */
export const logsConfigSchema = z.object({}).strict();
