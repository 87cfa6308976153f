import * as crypto from 'node:crypto';

/** One-shot hash (Node ≥ 20.12): several times cheaper than a Hash object, same digest. */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64url') => string }).hash;

/**
 * Deterministic event id: a hash of where the event came from and what it says,
 * so writing the same event twice (retry, replay, restart) stores it once.
 * `source` names the producer and input (e.g. "pcap:/x.pcap", "syslog:10.0.0.1").
 */
export function eventId(source: string, content: unknown): string {
  const text = `${source}\0${typeof content === 'string' ? content : canonicalJson(content)}`;
  if (oneShot) return oneShot('sha256', text, 'base64url').slice(0, 27);
  return crypto.createHash('sha256').update(text).digest('base64url').slice(0, 27);
}

/** JSON with object keys sorted, so equal content hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}
