/** Nested event → sorted `[dotted.path, value]` pairs for the raw-field view and the search sidebar. */
export function flattenEvent(obj: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (obj === null || obj === undefined) return out;
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    out.push([
      prefix,
      Array.isArray(obj)
        ? obj.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')
        : String(obj),
    ]);
    return out;
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenEvent(v, path, out);
    else flattenEvent(v, path, out);
  }
  if (!prefix) out.sort((a, b) => a[0].localeCompare(b[0]));
  return out;
}

/** Value at a dotted path in a nested event (`source.ip`), or undefined. */
export function pick(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A one-line text summary of an event for tables: the most telling fields first. */
export function eventSummary(e: Record<string, any>): string {
  const parts: string[] = [];
  const push = (v: unknown) => {
    if (v !== undefined && v !== null && v !== '') parts.push(String(v));
  };
  push(e.event?.action);
  push(e.http?.request?.method);
  push(e.url?.original ?? e.url?.full);
  push(e.dns?.question?.name);
  push(e.tls?.client?.server_name);
  push(e.message);
  push(e.user_agent?.original);
  return parts.join(' · ');
}
