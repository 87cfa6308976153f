import { EventEmitter } from 'node:events';
import type { AlertEvent, HeartbeatEvent } from './schema/ecs';

/** What one part of a process announces to the others (analyzer → console push). */
export interface BusEvents {
  alert: [AlertEvent];
  'alert-updated': [AlertEvent];
  heartbeat: [HeartbeatEvent];
}

/** A typed in-process bus. One per process; `edusentry start` shares it between services. */
export class EventBus extends EventEmitter<BusEvents> {}
