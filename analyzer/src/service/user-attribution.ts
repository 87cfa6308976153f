/**
 * Alerts carry the person behind the campus address (实名可溯源, issue #4's attribution).
 * The analyzer learns IP → account bindings from the authentication events it tails —
 * from their ECS fields only (core's bindingOf: event.category authentication, event.type
 * start|end, user.name, client.ip/source.ip), never from the raw line, so old events keep
 * their meaning whichever collector wrote them — into core's `Attribution`, and gives an
 * alert without user.name the account bound to its campus address (source, destination,
 * or an address it was grouped by) at the alert's event time.
 *
 * The learnt bindings are journalled (one JSON line each, appended before the cursor is
 * saved) so a restart rebuilds the same intervals. A crash in between replays the batch:
 * its bindings are learnt again, which at worst repeats an interval already held, so no
 * answer changes. Entries older than the retention are dropped and the journal compacted.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Attribution,
  bindingOf,
  cidrRange,
  EduError,
  ipKey,
  type AlertEvent,
  type Binding,
  type Logger,
} from '@edusentry/core';
import type { AnalyzerConfig } from '../config';

/** A learnt binding as journalled: address, account, start|stop, epoch ms. */
type Entry = [ip: string, user: string, action: Binding['action'], atMs: number];

export class UserAttribution {
  private attribution: Attribution;
  private entries: Entry[] = [];
  /** The last entry per address: a start of the same account on an open session is an interim update. */
  private last = new Map<string, Entry>();
  private readonly campus: [string, string][];
  private readonly maxSessionMs: number;
  private readonly retainMs: number;
  private newestMs = 0;
  /** Entries in `attribution` that the journal no longer holds (rebuilt when they dominate). */
  private dropped = 0;
  readonly stats = { learnt: 0, attributed: 0 };

  constructor(
    config: AnalyzerConfig['attribution'],
    private readonly journal: string,
    private readonly log: Logger,
  ) {
    this.campus = config.campusNetworks.map((c) => {
      try {
        return cidrRange(c);
      } catch {
        throw new EduError(
          'EDU_ERR_CONFIG',
          `analyzer.attribution.campusNetworks: "${c}" is not a CIDR block (e.g. 10.0.0.0/8)`,
        );
      }
    });
    this.maxSessionMs = config.maxSessionHours * 3600_000;
    this.retainMs = config.retainHours * 3600_000;
    this.attribution = new Attribution(this.maxSessionMs);
    this.load();
  }

  /** Bindings from the authentication events of one batch, learnt in event-time order. */
  learn(events: Record<string, unknown>[]): void {
    const found: Entry[] = [];
    for (const ev of events) {
      const b = bindingOf(ev);
      if (b) found.push([b.ip, b.user, b.action, Date.parse(ev['@timestamp'] as string)]);
    }
    if (!found.length) return;
    found.sort((a, b) => a[3] - b[3]);
    const fresh: Entry[] = [];
    for (const e of found) {
      if (!Number.isFinite(e[3])) continue;
      const prev = this.last.get(e[0]);
      // A start on the account's open session is an interim update; the same stop again is a replay.
      if (prev && prev[1] === e[1] && prev[2] === e[2] && (e[2] === 'start' || prev[3] === e[3])) continue;
      this.add(e);
      fresh.push(e);
    }
    if (!fresh.length) return;
    this.stats.learnt += fresh.length;
    try {
      mkdirSync(dirname(this.journal), { recursive: true });
      appendFileSync(this.journal, fresh.map((e) => JSON.stringify(e)).join('\n') + '\n');
    } catch (err) {
      this.log.warn({ file: this.journal, err: (err as Error).message }, 'cannot journal user bindings');
    }
    this.prune();
  }

  /** Sets user.name on the alert from its campus address's binding; true when it did. */
  attribute(alert: AlertEvent): boolean {
    if (alert.user?.name) return false;
    const times = [Date.parse(alert['@timestamp']), Date.parse(alert.event.start ?? '')].filter(Number.isFinite);
    for (const [ip, endpoint] of this.campusAddresses(alert)) {
      for (const at of times) {
        const name = this.attribution.lookup(ip, at);
        if (!name) continue;
        alert.user = { ...alert.user, name };
        if (endpoint) alert[endpoint] = { ...alert[endpoint], user: { name } };
        this.stats.attributed++;
        return true;
      }
    }
    return false;
  }

  /** Source, destination, then the addresses a correlation grouped by: those on campus. */
  private campusAddresses(alert: AlertEvent): [string, 'source' | 'destination' | undefined][] {
    const out: [string, 'source' | 'destination' | undefined][] = [];
    if (alert.source?.ip) out.push([alert.source.ip, 'source']);
    if (alert.destination?.ip) out.push([alert.destination.ip, 'destination']);
    for (const v of Object.values(alert.edu.alert.group ?? {})) if (typeof v === 'string') out.push([v, undefined]);
    return out.filter(([ip]) => this.onCampus(ip));
  }

  private onCampus(ip: string): boolean {
    const k = ipKey(ip);
    return !!k && this.campus.some(([lo, hi]) => k >= lo && k <= hi);
  }

  private add(e: Entry): void {
    this.attribution.learn({ ip: e[0], user: e[1], action: e[2] }, e[3]);
    this.entries.push(e);
    this.last.set(e[0], e);
    if (e[3] > this.newestMs) this.newestMs = e[3];
  }

  /** Drops entries older than the retention; compacts the journal and rebuilds when that is most of it. */
  private prune(): void {
    const horizon = this.newestMs - this.retainMs;
    if (!this.entries.length || this.entries[0][3] >= horizon) return;
    const kept = this.entries.filter((e) => e[3] >= horizon);
    this.dropped += this.entries.length - kept.length;
    this.entries = kept;
    if (this.dropped < kept.length) return;
    this.attribution = new Attribution(this.maxSessionMs);
    this.last.clear();
    const all = this.entries;
    this.entries = [];
    for (const e of all) this.add(e);
    this.dropped = 0;
    try {
      const tmp = `${this.journal}.tmp`;
      writeFileSync(tmp, all.map((e) => JSON.stringify(e) + '\n').join(''));
      renameSync(tmp, this.journal);
    } catch (err) {
      this.log.warn({ file: this.journal, err: (err as Error).message }, 'cannot compact the user-binding journal');
    }
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.journal, 'utf8');
    } catch {
      return; // no journal yet
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as Entry;
        if (Array.isArray(e) && e.length === 4 && (e[2] === 'start' || e[2] === 'stop')) this.add(e);
        else bad++;
      } catch {
        bad++; // a line torn by a crash mid-append
      }
    }
    if (bad) this.log.warn({ file: this.journal, bad }, 'user-binding journal lines skipped');
    this.prune();
  }

  size(): number {
    return this.entries.length;
  }
}
