import { z } from '@edusentry/core';
import { packetConfigSchema } from './packet/config';
import { logsConfigSchema } from './logs/config';
import { shipperConfigSchema } from './shipper/config';

/** The `collector:` section of the YAML configuration. */
export const collectorConfigSchema = z
  .object({
    packet: packetConfigSchema.default({}),
    logs: logsConfigSchema.default({}),
    shipper: shipperConfigSchema.default({}),
  })
  .strict();
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;
