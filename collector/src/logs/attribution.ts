/**
 * IP → person attribution (实名可溯源): the address-to-account bindings learnt from
 * authentication logs (RADIUS accounting, web portal), each with its validity
 * interval, and the lookup that adds user.name to flow, http and alert events whose
 * campus address was bound at the event's time.
 */
import type { EcsEvent } from '@edusentry/core';
import type { Binding } from './parsers';
import { msFromIso } from './time';

interface Interval {
  user: string;
  from: number;
  /** Undefined while the session is open. */
  to?: number;
}

export class Attribution {
  private readonly byIp = new Map<string, Interval[]>();

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

  /** Adds user.name from the source (else destination) address; true when it did. */
  enrich(e: EcsEvent): boolean {
    if (e.user?.name) return false;
    const at = msFromIso(e['@timestamp']);
    return (
      this.enrichFrom(e, e.source, at) || this.enrichFrom(e, e.destination, at) || this.enrichFrom(e, e.client, at)
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
