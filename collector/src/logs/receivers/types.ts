/** Network receivers (syslog UDP/TCP/TLS, flow export over UDP): one file each, behind this interface. */
import type { EcsEvent } from '@edusentry/core';

export type EmitEvents = (events: EcsEvent[]) => Promise<void>;

export interface Receiver {
  readonly name: string;
  /** Binds; resolves with the bound port (0 in the options means any free port). */
  start(): Promise<number>;
  stop(): Promise<void>;
  counters(): Record<string, number>;
}
