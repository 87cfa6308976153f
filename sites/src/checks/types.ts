/**
 * The one small interface every site check implements (one file each, listed in index.ts).
 * A check reads the site through the shared context (fetches and parsed pages are memoised
 * per run, so the content checks do not fetch a page twice) and returns one or more results:
 * each becomes one `site.check` event with event.action = the check's name.
 */
import type { SitesConfig } from '../config';
import type { BaselineStore } from '../baseline';
import type { PageAnalysis } from '../html/page';
import type { FetchResult } from '../net/fetch';
import type { Resolvers } from '../net/resolver';
import type { SiteRules } from '../rules';
import type { CheckName, Finding, FindingKind, Severity, Site } from '../types';

export interface FetchedPage {
  fetch: FetchResult;
  /** Parsed when the answer was 2xx HTML-ish text. */
  page?: PageAnalysis;
}

export interface CheckContext {
  site: Site;
  config: SitesConfig;
  rules: SiteRules;
  baselines: BaselineStore;
  resolvers: Resolvers;
  /** The site's URL first, then its other key pages. */
  keyPages: string[];
  now: Date;
  /** GET through the bounded client; memoised per URL for this run unless `fresh`. */
  fetch(url: string, fresh?: boolean): Promise<FetchResult>;
  page(url: string): Promise<FetchedPage>;
  finding(kind: FindingKind, severity: Severity, detail: string, key?: string, data?: Record<string, unknown>): Finding;
  sleep(ms: number): Promise<void>;
}

export interface CheckOutcome {
  outcome: 'success' | 'failure' | 'unknown';
  findings: Finding[];
  /** The URL this result is about (default: the site's). */
  url?: string;
  durationMs?: number;
  error?: string;
  /** The vantage point, for per-resolver results (dns). */
  vantage?: string;
  /** ECS fields of this result (http.*, tls.*, destination.*), merged into the event. */
  fields?: Record<string, unknown>;
  /** Measurements under edu.site. */
  measurements?: Record<string, unknown>;
}

export interface SiteCheck {
  name: CheckName;
  run(ctx: CheckContext): Promise<CheckOutcome[]>;
}
