import { isDataset } from '../schema/datasets';
import type { EcsEvent } from '../schema/ecs';

/** The checks both stores make before writing; a failing event is quarantined with this reason. */
export function invalidReason(e: unknown): string | undefined {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return 'event is not an object';
  const ev = e as EcsEvent;
  if (!ev.event || typeof ev.event !== 'object') return 'event.* is missing';
  if (typeof ev.event.id !== 'string' || ev.event.id.length === 0) return 'event.id is missing';
  if (!isDataset(ev.event.dataset)) return `event.dataset "${String(ev.event.dataset)}" is not a known dataset`;
  const ts = ev['@timestamp'];
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) return `@timestamp "${String(ts)}" is not an ISO date`;
  return undefined;
}

export function toEpochMs(t: string | number | undefined): number | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'number') return t;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${t}`);
  return ms;
}

/** Deep merge of plain objects; arrays and scalars in `patch` replace. */
export function deepMerge(base: Record<string, any>, patch: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === 'object' &&
      !Array.isArray(out[k])
    ) {
      out[k] = deepMerge(out[k], v);
    } else out[k] = v;
  }
  return out;
}
