import { formatBytes, formatDuration } from './time';

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

const endpoint = (ep: Record<string, any> | undefined): string | undefined =>
  ep?.ip
    ? ep.port !== undefined
      ? String(ep.ip).includes(':')
        ? `[${ep.ip}]:${ep.port}`
        : `${ep.ip}:${ep.port}`
      : String(ep.ip)
    : undefined;

/** `10.0.0.1:5555 → 1.2.3.4:443`, or one side when only one is known. */
function ends(e: Record<string, any>): string | undefined {
  const a = endpoint(e.source ?? e.client);
  const b = endpoint(e.destination ?? e.server);
  return a && b ? `${a} → ${b}` : (a ?? b);
}

/** ECS event.duration (nanoseconds) as `350 ms`, `2.4 s` or `3m 5s`. */
function duration(ns: unknown): string | undefined {
  const n = Number(ns);
  if (ns === undefined || ns === null || !Number.isFinite(n) || n < 0) return undefined;
  const ms = n / 1e6;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms / 1000);
}

function bytes(e: Record<string, any>): string | undefined {
  const total =
    e.network?.bytes ??
    (e.source?.bytes !== undefined || e.destination?.bytes !== undefined
      ? (e.source?.bytes ?? 0) + (e.destination?.bytes ?? 0)
      : undefined);
  return total === undefined ? undefined : formatBytes(Number(total));
}

const join = (...parts: unknown[]) =>
  parts
    .filter((v) => v !== undefined && v !== null && v !== '')
    .map(String)
    .join(' · ');

/** Per dataset: the line a security officer reads first. */
const SUMMARIES: Record<string, (e: Record<string, any>) => string> = {
  'network.flow': (e) =>
    join(String(e.network?.transport ?? '').toUpperCase() || undefined, ends(e), bytes(e), duration(e.event?.duration)),
  'network.dns': (e) =>
    join(
      e.dns?.question?.type,
      e.dns?.question?.name,
      e.dns?.response_code ?? (Array.isArray(e.dns?.resolved_ip) ? e.dns.resolved_ip.join(', ') : undefined),
      ends(e),
    ),
  'network.http': (e) =>
    join(
      [e.http?.request?.method, e.url?.original ?? e.url?.full ?? [e.url?.domain, e.url?.path].filter(Boolean).join('')]
        .filter(Boolean)
        .join(' ') || undefined,
      e.http?.response?.status_code,
      ends(e),
      e.user_agent?.original,
    ),
  'network.tls': (e) =>
    join(
      e.tls?.version ? `TLS ${e.tls.version}` : undefined,
      e.tls?.client?.server_name,
      ends(e),
      e.tls?.client?.ja4 ?? e.tls?.client?.ja3,
    ),
  'network.ssh': (e) =>
    join(
      [e.edu?.ssh?.client?.software, e.edu?.ssh?.server?.software].filter(Boolean).join(' → ') || undefined,
      ends(e),
    ),
  syslog: (e) => join(e.observer?.product ?? e.event?.module, e.event?.action, ends(e), e.message),
  alert: (e) => join(e.rule?.name, ends(e)),
  'site.check': (e) =>
    join(e.edu?.site?.name, e.event?.action, e.edu?.site?.state, e.url?.full, e.event?.reason ?? e.edu?.site?.error),
  // Data, not prose (the table has no words of its own here): name, version, uptime, drops=n when any.
  'collector.heartbeat': (e) =>
    join(
      e.observer?.name ?? e.observer?.id,
      e.edu?.collector?.version ? `v${e.edu.collector.version}` : undefined,
      e.edu?.collector?.uptime_s !== undefined ? formatDuration(e.edu.collector.uptime_s) : undefined,
      e.edu?.collector?.drops ? `drops=${e.edu.collector.drops}` : undefined,
    ),
};

/** A one-line text summary of an event for tables: by its dataset, the most telling fields first. */
export function eventSummary(e: Record<string, any>): string {
  const byDataset = SUMMARIES[e.event?.dataset]?.(e);
  if (byDataset) return byDataset;
  return join(
    e.event?.action,
    e.http?.request?.method,
    e.url?.original ?? e.url?.full,
    e.dns?.question?.name,
    e.tls?.client?.server_name,
    e.message,
    e.user_agent?.original,
  );
}
