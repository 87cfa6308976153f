/**
 * What the monitor remembers between runs, per site (<dataDir>/sites/state.json): its state with
 * flapping suppressed (up/down changes only after `flapThreshold` agreeing results), the findings
 * of the last result of each check (so a finding is "new" once), failures in a row (back-off).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type SiteStateName = 'up' | 'down' | 'unknown';

export interface SiteState {
  state: SiteStateName;
  /** A different result seen this many times in a row (flap suppression). */
  pending?: { state: SiteStateName; count: number };
  since?: string;
  /** Finding ids of the last result, per check and URL/vantage. */
  findings: Record<string, string[]>;
  failures: number;
  lastCheck?: string;
}

export class StateFile {
  private states: Record<string, SiteState> = {};
  private file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'sites', 'state.json');
    try {
      this.states = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, SiteState>;
    } catch {
      this.states = {};
    }
  }

  get(siteId: string): SiteState {
    return (this.states[siteId] ??= { state: 'unknown', findings: {}, failures: 0 });
  }

  all(): Record<string, SiteState> {
    return this.states;
  }

  /** Applies one up/down result; returns the change, if the state changed. */
  observe(
    siteId: string,
    up: boolean,
    threshold: number,
    at: string,
  ): { from: SiteStateName; to: SiteStateName } | undefined {
    const s = this.get(siteId);
    const seen: SiteStateName = up ? 'up' : 'down';
    s.failures = up ? 0 : s.failures + 1;
    s.lastCheck = at;
    if (seen === s.state) {
      s.pending = undefined;
      return undefined;
    }
    // The first result of a site sets its state at once; later changes need `threshold` in a row.
    const count = s.pending?.state === seen ? s.pending.count + 1 : 1;
    if (s.state !== 'unknown' && count < threshold) {
      s.pending = { state: seen, count };
      return undefined;
    }
    const from = s.state;
    s.state = seen;
    s.since = at;
    s.pending = undefined;
    return { from, to: seen };
  }

  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file + '.tmp', JSON.stringify(this.states));
    renameSync(this.file + '.tmp', this.file);
  }
}
