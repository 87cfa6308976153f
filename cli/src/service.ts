/**
 * A long-running part of the system that `edusentry start` runs in one process
 * (sample traffic, analyzer, console, ...). Every file in cli/src/services/ exports
 * `service: Service`; start runs them by ascending `order` and stops them in reverse.
 */
import type { EventBus, EventStore, OrgNode } from '@edusentry/core';
import type { Context } from './context';

export interface ServiceContext extends Context {
  /** Shared by all services of the process: analyzer → console push. */
  bus: EventBus;
  /** The opened event store. */
  eventStore: EventStore;
  /** The organisation tree of the sample province (start seeds the console with it). */
  orgs: OrgNode[];
}

export interface RunningService {
  stop(): Promise<void>;
  /** One line for the start-up summary, e.g. "console: http://127.0.0.1:8080". */
  info?: string;
}

export interface Service {
  name: string;
  order: number;
  start(ctx: ServiceContext): Promise<RunningService>;
}
