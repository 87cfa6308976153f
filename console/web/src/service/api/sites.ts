/** The key-site monitor API (/api/sites…, console/server/src/routes/sites.ts). */
import { http } from '../request';

export type SiteState = 'down' | 'critical' | 'warning' | 'ok' | 'unknown';

export interface SiteFinding {
  id: string;
  kind: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  detail: string;
  data?: Record<string, any>;
  check: string;
  url?: string;
  at: string;
  gbt20986?: { category: string; subcategory?: string };
}

export interface SiteStatus {
  siteId: string;
  state: SiteState;
  up: boolean | null;
  lastCheck?: string;
  latencyMs?: number;
  statusCode?: number;
  timings?: Record<string, number>;
  findings: SiteFinding[];
  kinds?: string[];
  cert?: {
    notAfter?: string;
    notBefore?: string;
    subject?: string;
    issuer?: string;
    version?: string;
    cipher?: string;
  };
  dns: { vantage: string; answers: string[]; error?: string; at: string }[];
}

export interface Site {
  id: string;
  orgId: string;
  name: string;
  url: string;
  keyPages: string[];
  owner: string;
  intervalSec: number;
  expectedDns: string[];
  ownCidrs: string[];
  ownDomains: string[];
  enabled: boolean;
}

export interface SiteWithStatus extends Site {
  status: SiteStatus;
}

export interface WallNode {
  orgId: string;
  name: string;
  level: 'province' | 'city' | 'school';
  parentId: string | null;
  counts: Record<SiteState, number>;
  worst: SiteState;
}

export interface SitePage {
  url: string;
  recordedAt: string;
  changedAt: string;
  acceptedBy?: string;
  pendingAccept: boolean;
  baseline: { title: string; text: string[] };
  current?: { title: string; text: string[] };
}

export interface SiteDetail {
  site: Site;
  status: SiteStatus;
  darkLinks: { url: string; href: string; text: string; techniques: string[]; keywords: string[] }[];
  pages: SitePage[];
}

export interface SiteAvailability {
  siteId: string;
  items: { period: string; checks: number; up: number; uptimePct: number; p95Ms: number | null }[];
  latency: { at: string; ms: number | null }[];
}

export function fetchSites(query: { orgId?: string; state?: string; kind?: string }) {
  return http.get<{ items: SiteWithStatus[]; total: number }>('/api/sites', query);
}

export function fetchSiteWall(orgId?: string) {
  return http.get<{ states: SiteState[]; items: WallNode[] }>('/api/sites/wall', { orgId });
}

export function fetchSite(id: string) {
  return http.get<SiteDetail>(`/api/sites/${encodeURIComponent(id)}`);
}

export function fetchSiteAvailability(id: string, days = 30) {
  return http.get<SiteAvailability>(`/api/sites/${encodeURIComponent(id)}/availability`, { days });
}

export function createSite(body: Partial<Site>) {
  return http.post<Site>('/api/sites', body);
}

export function acceptSiteBaseline(id: string) {
  return http.post<{ accepted: string[] }>(`/api/sites/${encodeURIComponent(id)}/baseline/accept`);
}
