import { z } from '@edusentry/core';

/** The `collector.packet:` section of the YAML configuration. */
export const packetConfigSchema = z.object({}).strict();
