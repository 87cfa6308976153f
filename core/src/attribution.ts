/**
 * IP → person attribution (实名可溯源): address-to-account bindings, each with its
 * validity interval, and the lookup that names the account behind a campus address
 * at an event's time. A binding is read from an authentication event's ECS fields
 * only (`bindingOf`), so the collector (at ingest) and the analyzer (from the store)
 * learn the same bindings without re-parsing raw lines.
 */
import type { EcsEvent } from './schema/ecs';

/** An IP ↔ account binding, from an authentication session's start or end. */
export interface Binding {
  ip: string;
  user: string;
  action: 'start' | 'stop';
  /** The session's id where the log names one (RADIUS Acct-Session-Id, a portal's session). */
  session?: string;
}

interface Interval {
  user: string;
  from: number;
  /** Undefined while the session is open. */
  to?: number;
}

const has = (v: unknown, want: string): boolean => (Array.isArray(v) ? v.includes(want) : v === want);

/**
 * The binding an event stands for: an authentication session that started or ended
 * (event.category authentication, event.type start|end, not a failure) with user.name
 * and the address it was given (client.ip, else source.ip). Any other event: undefined.
 */
export function bindingOf(ev: Record<string, unknown>): Binding | undefined {
  const meta = ev.event as { category?: unknown; type?: unknown; outcome?: unknown } | undefined;
  if (!meta || !has(meta.category, 'authentication') || meta.outcome === 'failure') return undefined;
  const action = has(meta.type, 'start') ? 'start' : has(meta.type, 'end') ? 'stop' : undefined;
  if (!action) return undefined;
  const user = (ev.user as { name?: unknown } | undefined)?.name;
  const ip = (ev.client as { ip?: unknown } | undefined)?.ip ?? (ev.source as { ip?: unknown } | undefined)?.ip;
  if (typeof user !== 'string' || !user || typeof ip !== 'string' || !ip) return undefined;
  const session = (ev.edu as { session?: { id?: unknown } } | undefined)?.session?.id;
  return typeof session === 'string' ? { ip, user, action, session } : { ip, user, action };
}

export class Attribution {
  private readonly byIp = new Map<string, Interval[]>();

  /** A session without a stop is taken to last at most this long. */
  constructor(private readonly maxSessionMs = 24 * 3600_000) {}

  learn(b: Binding, atMs: number): void {
    const list = this.byIp.get(b.ip) ?? [];
    const open = list.length ? list[list.length - 1] : undefined;
    if (b.action === 'start') {
      if (open && open.to === undefined) {
        if (open.user === b.user) return; // interim update of the same session
        open.to = atMs; // a new login on the address ends the previous one
      }
      list.push({ user: b.user, from: atMs });
    } else if (open && open.to === undefined && open.user === b.user) open.to = atMs;
    else list.push({ user: b.user, from: atMs - 1, to: atMs });
    this.byIp.set(b.ip, list);
  }

  /** The account bound to `ip` at `atMs`, if any. */
  lookup(ip: string, atMs: number): string | undefined {
    const list = this.byIp.get(ip);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i];
      if (s.from <= atMs && atMs <= (s.to ?? s.from + this.maxSessionMs)) return s.user;
    }
    return undefined;
  }

  /** Adds user.name from the source (else destination, else client) address; true when it did. */
  enrich(e: EcsEvent, atMs = Date.parse(e['@timestamp'])): boolean {
    if (e.user?.name) return false;
    return (
      this.enrichFrom(e, e.source, atMs) ||
      this.enrichFrom(e, e.destination, atMs) ||
      this.enrichFrom(e, e.client, atMs)
    );
  }

  private enrichFrom(e: EcsEvent, ep: EcsEvent['source'], at: number): boolean {
    const name = ep?.ip ? this.lookup(ep.ip, at) : undefined;
    if (!name) return false;
    e.user = { ...e.user, name };
    if (ep) ep.user = { name };
    return true;
  }

  size(): number {
    return this.byIp.size;
  }
}
