import { z } from '@edusentry/core';

/** The `collector.packet:` section of the YAML configuration. */
export const packetConfigSchema = z
  .object({
    /** Campus address ranges: network.direction is inbound/outbound/internal/external against these. */
    campusNetworks: z.array(z.string()).default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
    flow: z
      .object({
        /** A flow with no packet for this long ends (NetFlow inactive timeout). */
        idleTimeoutS: z.number().positive().default(120),
        /** A flow longer than this is reported and restarted (NetFlow active timeout). */
        activeTimeoutS: z.number().positive().default(1800),
        /** After FIN both ways or RST, how long the flow waits for its last packets. */
        closedTimeoutS: z.number().min(0).default(10),
        /** Live flows kept; beyond this the least recently active is ended and counted as evicted. */
        maxFlows: z.number().int().min(16).default(1_000_000),
        /** VLAN ids are part of the flow key (turn off where one direction is tagged and the other not). */
        vlanTracking: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** Community ID seed (0 unless every tool you join with uses another). */
    communityIdSeed: z.number().int().min(0).max(65535).default(0),
    live: z
      .object({
        /** Interface for `collect live` when -i is not given. */
        interface: z.string().default(''),
        /** Bytes kept per packet. */
        snaplen: z.number().int().min(64).max(262144).default(65535),
        /** libpcap kernel buffer in MiB. */
        bufferSizeMb: z.number().int().min(1).max(4096).default(32),
        /** Default BPF filter (tcpdump syntax), empty for everything. */
        bpf: z.string().default(''),
        promiscuous: z.boolean().default(true),
      })
      .strict()
      .default({}),
  })
  .strict();
export type PacketConfig = z.infer<typeof packetConfigSchema>;
