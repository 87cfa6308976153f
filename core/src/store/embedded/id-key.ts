/**
 * The integer key the embedded store deduplicates on: a 52-bit hash of the event id.
 * An 8-byte integer index is several times smaller than a unique index on the id text,
 * so its random inserts touch fewer pages. Two ids can share a hash (about one pair in
 * 10^8 events), so a colliding id takes the next free key within ID_KEY_PROBES of its
 * hash, and lookups check the id itself within that window.
 */

/** Keys one id may take: its hash and the next few. */
export const ID_KEY_PROBES = 4;

/** A 52-bit hash (cyrb53 narrowed by one bit so hash + probes stays an exact integer). */
export function idKey(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (0xfffff & h2) + (h1 >>> 0);
}

/** SQL that finds an id through its key (the keyed index), for `count` ids: bind `idKeyParams`. */
export function idKeySql(count: number): string {
  const keys = Array.from({ length: count * ID_KEY_PROBES }, () => '?').join(',');
  return `id_key IN (${keys}) AND id IN (${Array.from({ length: count }, () => '?').join(',')})`;
}

export function idKeyParams(ids: (string | number)[]): unknown[] {
  const keys = ids.flatMap((id) => {
    const k = idKey(String(id));
    return Array.from({ length: ID_KEY_PROBES }, (_, i) => k + i);
  });
  return [...keys, ...ids.map(String)];
}
