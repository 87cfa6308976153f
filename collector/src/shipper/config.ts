import { z } from '@edusentry/core';

/** The `collector.shipper:` section of the YAML configuration. */
export const shipperConfigSchema = z.object({}).strict();
