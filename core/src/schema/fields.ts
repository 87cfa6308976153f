/** Reading and writing dotted ECS field paths ("source.ip") on nested events. */

export function getField(doc: unknown, path: string): unknown {
  let cur: any = doc;
  if (cur && typeof cur === 'object' && path in cur) return cur[path];
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

export function setField(doc: Record<string, any>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

/** Flattens a nested event to dotted keys; arrays are kept as values. */
export function flatten(doc: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    if (prefix) out[prefix] = doc;
    return out;
  }
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}
