import { z } from '@edusentry/core';

/** The `console:` section of the YAML configuration. */
export const consoleConfigSchema = z.object({}).strict();
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
