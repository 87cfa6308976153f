import { createHash } from 'node:crypto';

/**
 * Deterministic event id: a hash of where the event came from and what it says,
 * so writing the same event twice (retry, replay, restart) stores it once.
 * `source` names the producer and input (e.g. "pcap:/x.pcap", "syslog:10.0.0.1").
 */
export function eventId(source: string, content: unknown): string {
  const h = createHash('sha256');
  h.update(source);
  h.update('\0');
  h.update(typeof content === 'string' ? content : canonicalJson(content));
  return h.digest('base64url').slice(0, 27);
}

/** JSON with object keys sorted, so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}
