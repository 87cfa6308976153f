/**
 * The analyzer service: tails the event store from a persisted cursor, evaluates every event
 * (never its own alerts), writes alerts with deterministic ids, then saves the cursor and the
 * correlation state (see saveState for how often). A crash before the state is saved replays
 * the batches since, which rewrites the same alert ids: nothing skipped, nothing stored twice. Rule files are
 * watched and reloaded without losing correlation state. Alerts without user.name get the
 * account bound to their campus address (user-attribution.ts). The security administrator's rule
 * policy (rule-policy.ts) is checked before every batch and applied to the alerts at once
 * (policy-filter.ts): uploaded rules are loaded, switched-off rules and exceptions suppress.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import {
  DATASETS,
  type AlertEvent,
  type Dataset,
  type EcsEvent,
  type EventStore,
  type Logger,
  type TailCursor,
} from '@edusentry/core';
import type { AnalyzerConfig } from '../config';
import { openRuleSet, rulePaths } from '../rules';
import { Detector } from '../sigma/detector';
import { MlpsEngine } from '../mlps/engine';
import { AlertAggregator } from './aggregator';
import { readState, writeState } from './cursor-file';
import { PolicyFilter, type DropCounts } from './policy-filter';
import { PolicySource, policyDirOf, uploadedPaths, writeCatalogue, type RulePolicyDoc } from './rule-policy';
import { AlertSides } from './alert-sides';
import { UserAttribution } from './user-attribution';

export interface AnalyzerServiceOptions {
  store: EventStore;
  config: AnalyzerConfig;
  dataDir: string;
  log: Logger;
  /** Rule paths (default: config, else the shipped rules). */
  rules?: string[];
  /** Called for each new alert once it is written (the console's push). */
  onAlert?: (alert: AlertEvent) => void;
  /** Clock for exception expiry (tests). */
  now?: () => number;
}

export interface AnalyzerStats {
  events: number;
  alerts: number;
  writeFailures: number;
  quarantined: number;
  reloads: number;
  /** Alerts dropped by the rule policy: rule switched off, or an exception in force. */
  disabled: number;
  excepted: number;
  /** The rule policy version in force. */
  policyVersion: number;
  lastBatchAt?: string;
}

/** Everything but our own alerts (and collector heartbeats, which carry no detections). */
export const ANALYZED_DATASETS = (Object.keys(DATASETS) as Dataset[]).filter(
  (d) => d !== 'alert' && d !== 'collector.heartbeat',
);

export class AnalyzerService {
  private detector: Detector;
  private cursor: TailCursor | null;
  private stateFile: string;
  private aggregator: AlertAggregator;
  /** The campus end of each alert (edu.alert.asset) and the other (edu.alert.remote). */
  private sides: AlertSides;
  /** The level-protection (等保) rules, run beside the Sigma detector on the same events. */
  private mlps: MlpsEngine;
  /** Account bindings from RADIUS/portal events, for alerts without user.name (off when disabled). */
  readonly users?: UserAttribution;
  private stopping = false;
  /** Batches processed since the state was last saved, and when that was. */
  private unsaved = false;
  private savedAt = 0;
  private loop?: Promise<void>;
  private watchers: FSWatcher[] = [];
  private wake?: () => void;
  readonly stats: AnalyzerStats = {
    events: 0,
    alerts: 0,
    writeFailures: 0,
    quarantined: 0,
    reloads: 0,
    disabled: 0,
    excepted: 0,
    policyVersion: 0,
  };
  private policy: PolicySource;
  private filter: PolicyFilter;
  /** Alerts the policy dropped since this service started (published with the catalogue). */
  private readonly drops: DropCounts = { exceptions: {}, rules: {} };
  private readonly dropsSince = new Date().toISOString();
  private publishedDrops = 0;
  private publishedAt = 0;

  constructor(private opts: AnalyzerServiceOptions) {
    this.policy = new PolicySource(opts.config.policyDir || policyDirOf(opts.dataDir), opts.log);
    const doc = this.policy.poll() ?? this.policy.current;
    this.filter = this.newFilter(doc);
    const set = openRuleSet(opts.config, opts.rules, uploadedPaths(this.policy.dir, doc));
    for (const p of set.problems)
      opts.log.warn({ file: p.file, line: p.line, rule: p.title }, `sigma rule rejected: ${p.message}`);
    opts.log.info(
      {
        active: set.rules.length,
        correlations: set.correlations.length,
        inactive: set.inactive.length,
        rejected: set.problems.length,
      },
      'sigma rules loaded',
    );
    this.detector = this.newDetector(set);
    this.publish();
    this.stateFile = join(opts.dataDir, 'analyzer', 'state.json');
    const saved = readState(this.stateFile);
    this.cursor = saved.cursor;
    if (saved.correlation) this.detector.correlations.restore(saved.correlation);
    this.aggregator = new AlertAggregator(opts.config.dedup);
    this.sides = new AlertSides(opts.config.campusNetworks);
    this.mlps = new MlpsEngine(opts.config.mlps, (ip) => this.sides.onCampus(ip), opts.log);
    if (opts.config.attribution.enabled)
      this.users = new UserAttribution(
        opts.config.attribution,
        join(opts.dataDir, 'analyzer', 'user-bindings.ndjson'),
        opts.log,
      );
  }

  get ruleSet() {
    return this.detector.rules;
  }

  private newDetector(set: ReturnType<typeof openRuleSet>): Detector {
    const c = this.opts.config.correlation;
    return new Detector(set, { latenessMs: c.latenessSec * 1000, maxGroups: c.maxGroups });
  }

  private newFilter(doc: RulePolicyDoc): PolicyFilter {
    const f = new PolicyFilter(doc, this.drops);
    for (const p of f.problems)
      this.opts.log.warn({ exception: p.exception, version: doc.version }, `rule exception skipped: ${p.message}`);
    this.stats.policyVersion = doc.version;
    return f;
  }

  /** Tells the console which rules run under which policy version. */
  private publish(): void {
    try {
      writeCatalogue(this.policy.dir, this.detector.rules, this.filter.version, {
        drops: this.drops,
        dropsSince: this.dropsSince,
      });
      this.publishedDrops = this.stats.disabled + this.stats.excepted;
      this.publishedAt = Date.now();
    } catch (e) {
      this.opts.log.warn({ dir: this.policy.dir, err: (e as Error).message }, 'cannot write the rule catalogue');
    }
  }

  /** New drop counts reach the console at most once a second (and once caught up). */
  private publishDrops(): void {
    if (this.stats.disabled + this.stats.excepted !== this.publishedDrops && Date.now() - this.publishedAt >= 1000)
      this.publish();
  }

  /** A new policy version: in force from this batch on; new or removed uploaded files reload the rules. */
  private refreshPolicy(): void {
    const before = this.policy.current;
    const doc = this.policy.poll();
    if (!doc) return;
    this.filter = this.newFilter(doc);
    const files = (d: RulePolicyDoc) => JSON.stringify(d.uploaded.map((u) => [u.file, u.sha256]));
    if (files(doc) !== files(before)) this.reload();
    else this.publish();
    this.opts.log.info({ version: doc.version, by: doc.updatedBy }, 'rule policy applied');
  }

  /** Processes one batch; returns how many events it read. */
  async runOnce(): Promise<number> {
    const { store, config, log } = this.opts;
    this.refreshPolicy();
    const res = await store.tail(this.cursor, { limit: config.batchSize, datasets: ANALYZED_DATASETS });
    if (res.events.length === 0) {
      this.cursor = res.cursor;
      if (this.unsaved) this.saveState(); // caught up: a restart resumes exactly here
      this.publishDrops();
      return 0;
    }
    const alerts: AlertEvent[] = [];
    // Bindings first: an alert of this batch may be on an address a login of this batch bound.
    this.users?.learn(res.events as Record<string, unknown>[]);
    const now = this.opts.now?.() ?? Date.now();
    for (const ev of res.events) {
      if ((ev.event as { dataset?: string })?.dataset === 'alert') continue;
      try {
        for (const a of [
          ...this.detector.process(ev as Record<string, unknown>),
          ...this.mlps.process(ev as Record<string, unknown>),
        ]) {
          const verdict = this.filter.apply(a, ev as Record<string, unknown>, now);
          if (verdict === 'keep') alerts.push(a);
          else this.stats[verdict]++;
        }
      } catch (e) {
        log.warn({ id: ev.event?.id, err: (e as Error).message }, 'event could not be evaluated; skipped');
      }
    }
    for (const a of this.mlps.tick()) {
      const verdict = this.filter.apply(a, a as unknown as Record<string, unknown>, now);
      if (verdict === 'keep') alerts.push(a);
      else this.stats[verdict]++;
    }
    for (const a of alerts) this.sides.mark(a);
    if (this.users) for (const a of alerts) this.users.attribute(a);
    const { created, grown } = this.aggregator.add(alerts);
    if (created.length) {
      const w = await store.write(created as unknown as EcsEvent[]);
      if (w.failed > 0) {
        this.stats.writeFailures++;
        log.warn({ failed: w.failed }, 'alert write failed; the batch will be evaluated again');
        return 0; // cursor not advanced: deterministic ids make the retry safe
      }
      for (const q of w.quarantined) log.warn({ id: q.id, reason: q.reason }, 'alert quarantined by the store');
      this.stats.quarantined += w.quarantined.length;
    }
    for (const g of grown) {
      await store.update(g.event.id, 'alert', {
        edu: { alert: { count: g.edu.alert.count, last_seen: g.edu.alert.last_seen, events: g.edu.alert.events } },
      });
    }
    this.cursor = res.cursor;
    this.unsaved = true;
    this.stats.events += res.events.length;
    this.stats.alerts += created.length;
    this.stats.lastBatchAt = new Date().toISOString();
    for (const a of created) this.opts.onAlert?.(a);
    if (Date.now() - this.savedAt >= config.stateSaveMs) this.saveState();
    this.publishDrops();
    return res.events.length;
  }

  /**
   * Saves the cursor with the correlation state. The state grows with the open correlation
   * groups (megabytes), so while events keep coming it is saved at most every stateSaveMs and
   * always when the tail catches up or the service stops; a crash replays what came since,
   * which rewrites the same alert ids.
   */
  private saveState(): void {
    writeState(this.stateFile, { cursor: this.cursor, correlation: this.detector.correlations.snapshot() });
    this.savedAt = Date.now();
    this.unsaved = false;
  }

  start(): void {
    if (this.loop) return;
    if (this.opts.config.watchRules) this.watchRules();
    this.loop = (async () => {
      while (!this.stopping) {
        let n = 0;
        try {
          n = await this.runOnce();
        } catch (e) {
          this.opts.log.warn({ err: (e as Error).message }, 'analyzer batch failed; retrying');
        }
        if (n === 0 && !this.stopping)
          await new Promise<void>((r) => {
            const t = setTimeout(r, this.opts.config.pollMs);
            this.wake = () => {
              clearTimeout(t);
              r();
            };
          });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    this.watchers.forEach((w) => w.close());
    await this.loop;
    if (this.unsaved) this.saveState();
  }

  /** Reloads the rules; correlation state of unchanged correlations carries over. */
  reload(): void {
    try {
      const set = openRuleSet(this.opts.config, this.opts.rules, uploadedPaths(this.policy.dir, this.policy.current));
      this.detector = this.detector.reload(set);
      this.stats.reloads++;
      this.publish();
      this.opts.log.info({ active: set.rules.length, rejected: set.problems.length }, 'sigma rules reloaded');
    } catch (e) {
      this.opts.log.warn({ err: (e as Error).message }, 'rule reload failed; keeping the loaded rules');
    }
  }

  private watchRules(): void {
    const paths = rulePaths(this.opts.config, this.opts.rules);
    let timer: NodeJS.Timeout | undefined;
    for (const p of paths) {
      try {
        this.watchers.push(
          watch(p, { recursive: true }, () => {
            clearTimeout(timer);
            timer = setTimeout(() => this.reload(), 500);
          }),
        );
      } catch (e) {
        this.opts.log.warn({ path: p, err: (e as Error).message }, 'cannot watch rules for changes');
      }
    }
  }
}
