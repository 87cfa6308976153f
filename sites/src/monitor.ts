/**
 * One run of every check on one site: the shared context (memoised fetches and parsed pages),
 * the checks of the registration table in order, then findings compared with the last run (a
 * finding is new once) and the up/down state with flapping suppressed, each result an event.
 * A check that throws becomes an error result of that check; the other checks still run.
 */
import { readFileSync } from 'node:fs';
import { eventId, type EcsEvent, type Logger, type Observer } from '@edusentry/core';
import { BaselineStore } from './baseline';
import { CHECKS, type CheckContext, type CheckOutcome, type FetchedPage, type SiteCheck } from './checks';
import type { SitesConfig } from './config';
import { analyzePage } from './html/page';
import { fetchPage, type FetchResult } from './net/fetch';
import { Resolvers } from './net/resolver';
import { loadSiteRules, type SiteRules } from './rules';
import { StateFile } from './state';
import { toEvent } from './event';
import type { Finding, Site } from './types';

export interface MonitorOptions {
  config: SitesConfig;
  dataDir: string;
  observer: Observer;
  log?: Logger;
  /** Organisation names for organization.name. */
  orgName?: (orgId: string) => string | undefined;
  /** Only these checks (default: all). */
  checks?: SiteCheck[];
  /** Clock, for tests of expiry and staleness. */
  now?: () => Date;
}

export interface SiteRunResult {
  site: Site;
  events: EcsEvent[];
  findings: Finding[];
  up: boolean;
}

const HTML_TYPES = /html|xml|text\/plain|^$/i;

export class SiteMonitor {
  readonly resolvers: Resolvers;
  readonly baselines: BaselineStore;
  readonly state: StateFile;
  private rules: SiteRules;
  private extraCAs: string[];
  private checks: SiteCheck[];

  constructor(private opts: MonitorOptions) {
    this.resolvers = new Resolvers(opts.config.resolvers, Math.min(3000, opts.config.timeoutMs));
    this.baselines = new BaselineStore(opts.dataDir);
    this.state = new StateFile(opts.dataDir);
    this.rules = loadSiteRules(opts.config);
    this.extraCAs = opts.config.extraCAs.map((f) => readFileSync(f, 'utf8'));
    this.checks = opts.checks ?? CHECKS;
  }

  private context(site: Site, now: Date): CheckContext {
    const fetches = new Map<string, Promise<FetchResult>>();
    const pages = new Map<string, Promise<FetchedPage>>();
    const { config } = this.opts;
    const fetchOpts = {
      resolvers: this.resolvers,
      timeoutMs: config.timeoutMs,
      maxBytes: config.maxBytes,
      maxRedirects: config.maxRedirects,
      extraCAs: this.extraCAs,
      ownDomains: site.ownDomains,
    };
    const ctx: CheckContext = {
      site,
      config,
      rules: this.rules,
      baselines: this.baselines,
      resolvers: this.resolvers,
      keyPages: [site.url, ...site.keyPages.filter((p) => p !== site.url)],
      now,
      fetch: (url, fresh) => {
        let p = fetches.get(url);
        if (!p || fresh) {
          p = fetchPage(url, fetchOpts);
          fetches.set(url, p);
          pages.delete(url);
        }
        return p;
      },
      page: (url) => {
        let p = pages.get(url);
        if (!p) {
          p = ctx.fetch(url).then((f) => {
            const type = String(f.headers['content-type'] ?? '');
            if (f.status === undefined || f.status < 200 || f.status >= 300 || !HTML_TYPES.test(type))
              return { fetch: f };
            return { fetch: f, page: analyzePage(f.body.toString('utf8'), f.finalUrl) };
          });
          pages.set(url, p);
        }
        return p;
      },
      finding: (kind, severity, detail, key = '', data) => ({
        id: eventId('site-finding', [site.id, kind, key]),
        kind,
        severity,
        detail,
        ...(data ? { data } : {}),
      }),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    return ctx;
  }

  /** Runs every check on the site once; saves nothing but baselines (call saveState after a batch). */
  async runSite(site: Site): Promise<SiteRunResult> {
    const now = this.opts.now?.() ?? new Date();
    const ctx = this.context(site, now);
    const results: { check: SiteCheck; outcome: CheckOutcome }[] = [];
    for (const check of this.checks) {
      const t0 = performance.now();
      try {
        for (const outcome of await check.run(ctx)) results.push({ check, outcome });
      } catch (e) {
        this.opts.log?.warn({ site: site.id, check: check.name, err: (e as Error).message }, 'site check failed');
        results.push({
          check,
          outcome: {
            outcome: 'unknown',
            findings: [],
            error: `check failed: ${(e as Error).message}`,
            durationMs: performance.now() - t0,
          },
        });
      }
    }
    const http = results.find((r) => r.check.name === 'http');
    const up = http ? http.outcome.measurements?.up !== false : true;
    const change = this.state.observe(site.id, up, this.opts.config.flapThreshold, now.toISOString());
    const st = this.state.get(site.id);
    const stateChange =
      change?.to === 'down'
        ? ('down' as const)
        : change?.to === 'up' && change.from === 'down'
          ? ('recovered' as const)
          : undefined;
    const events: EcsEvent[] = [];
    const findings: Finding[] = [];
    for (const { check, outcome } of results) {
      const slot = `${check.name}|${outcome.url ?? ''}|${outcome.vantage ?? ''}`;
      const before = new Set(st.findings[slot] ?? []);
      const fresh = outcome.findings.filter((f) => !before.has(f.id) && f.kind !== 'down');
      st.findings[slot] = outcome.findings.map((f) => f.id);
      findings.push(...outcome.findings);
      events.push(
        toEvent(outcome, {
          site,
          check: check.name,
          at: now,
          observer: this.opts.observer,
          orgName: this.opts.orgName?.(site.orgId),
          state: st.state,
          newFindings: fresh,
          stateChange: check.name === 'http' ? stateChange : undefined,
        }),
      );
    }
    return { site, events, findings, up };
  }

  saveState(): void {
    this.state.save();
  }
}
