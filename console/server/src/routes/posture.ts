/**
 * Threat posture for the caller's subtree: KPIs, alert and event trend, severity
 * and ATT&CK-tactic breakdown, top rules / attacked assets / sources, and the
 * per-school risk ranking rolled up city → province.
 */
import { DATASETS, type AggResult, type Dataset, type EventStore, type Filter, type OrgLevel } from '@edusentry/core';
import type { FastifyPluginAsync } from 'fastify';
import { latestCollectors } from '../collectors';
import { authOf, scopeIds, timeRange, type AppContext } from '../context';
import { orgIdProp, timeProps } from '../schemas';
import { RISK_WEIGHT, SEVERITIES, zeroBySeverity, type Severity } from '../severity';

/** The datasets that are not traffic/log events. */
export const NON_EVENT_DATASETS: Dataset[] = ['alert', 'site.check', 'collector.heartbeat'];
/** The traffic and log datasets the event KPIs count. */
export const EVENT_DATASETS = (Object.keys(DATASETS) as Dataset[]).filter((d) => !NON_EVENT_DATASETS.includes(d));
const OPEN: Filter = { field: 'edu.alert.status', op: 'in', values: ['new', 'acknowledged'] };
/** Drill alerts (edu.drill.id) stay out of real posture unless asked for with drill=include. */
const REAL: Filter = { field: 'edu.drill.id', op: 'missing' };
const NICE_INTERVALS = [
  60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 604_800_000,
];
/** The most trend points one answer holds; a finer `interval` is widened by the server. */
export const MAX_BUCKETS = 2000;

/** The asked interval (default ~48-60 points), widened to a nice one when the range would hold more than MAX_BUCKETS. */
export function trendInterval(rangeMs: number, asked?: number): number {
  const fits = (i: number) => rangeMs / i <= MAX_BUCKETS;
  const wanted = asked ?? NICE_INTERVALS.find((i) => rangeMs / i <= 60) ?? 604_800_000;
  if (fits(wanted)) return wanted;
  return NICE_INTERVALS.find((i) => i >= wanted && fits(i)) ?? Math.ceil(rangeMs / MAX_BUCKETS / 60_000) * 60_000;
}

function buckets(r: AggResult | undefined): { key: string | number; count: number }[] {
  return r && 'buckets' in r ? r.buckets : [];
}

export interface RiskRow {
  orgId: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  score: number;
  open: number;
  bySeverity: Record<Severity, number>;
}

export const postureRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: { from?: string; to?: string; orgId?: string; interval?: number; drill?: string } }>(
    '/api/posture',
    {
      config: { permission: 'posture:read' },
      schema: {
        tags: ['posture'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeProps,
            ...orgIdProp,
            interval: {
              type: 'integer',
              minimum: 1000,
              maximum: 31_622_400_000,
              description: `trend bucket in ms; default ~48 buckets, widened so that the trend has at most ${MAX_BUCKETS}`,
            },
            drill: {
              type: 'string',
              enum: ['exclude', 'include'],
              description: 'alerts of emergency drills (edu.drill.id): left out by default, counted with include',
            },
          },
        },
      },
    },
    async (req) => {
      const auth = authOf(req);
      const orgIds = scopeIds(ctx, req, req.query.orgId);
      const { from, to } = timeRange(ctx, req.query);
      const intervalMs = trendInterval(to - from, req.query.interval);
      const real = req.query.drill === 'include' ? [] : [REAL];
      const store: EventStore = ctx.store;
      const midnight = new Date(ctx.now());
      midnight.setHours(0, 0, 0, 0);

      // The queries are independent: sent together, so a search engine answers them side by side
      // instead of one round trip after another (the embedded store answers each synchronously anyway).
      const [open, today, inRange, events, collectors] = await Promise.all([
        // Open alerts per severity and organisation: the KPI and the risk ranking.
        Promise.all(
          SEVERITIES.map((sev) =>
            store.search({
              datasets: ['alert'],
              orgIds,
              filters: [OPEN, { field: 'rule.level', op: 'eq', value: sev }, ...real],
              size: 0,
              aggs: { org: { type: 'terms', field: 'organization.id', size: orgIds.length + 1 } },
            }),
          ),
        ),
        store.search({
          datasets: ['alert'],
          orgIds,
          from: midnight.getTime(),
          to: ctx.now() + 1,
          filters: real,
          size: 0,
          aggs: { sev: { type: 'terms', field: 'rule.level', size: 10 } },
        }),
        store.search({
          datasets: ['alert'],
          orgIds,
          from,
          to,
          filters: real,
          size: 0,
          aggs: {
            trend: { type: 'date_histogram', field: '@timestamp', intervalMs },
            sev: { type: 'terms', field: 'rule.level', size: 10 },
            tactics: { type: 'terms', field: 'threat.tactic.name', size: 20 },
            rules: { type: 'terms', field: 'rule.id', size: 10 },
            // The campus end of each alert and the party at the other end (set by the analyzer).
            assets: { type: 'terms', field: 'edu.alert.asset', size: 10 },
            sources: { type: 'terms', field: 'edu.alert.remote', size: 10 },
          },
        }),
        // Traffic and log events: a count and histogram on time, organisation and dataset alone, which the
        // embedded store answers from its rollups and the Elasticsearch store from its indices.
        store.search({
          datasets: EVENT_DATASETS,
          orgIds,
          from,
          to,
          size: 0,
          aggs: { trend: { type: 'date_histogram', field: '@timestamp', intervalMs } },
        }),
        latestCollectors(store, {
          orgIds,
          withOrgless: auth.isRoot && !req.query.orgId,
          now: ctx.now(),
          downAfterS: ctx.config.collectorDownAfterSeconds,
        }),
      ]);
      const openBySeverity = zeroBySeverity();
      const perOrg = new Map<string, Record<Severity, number>>();
      for (const [i, sev] of SEVERITIES.entries()) {
        openBySeverity[sev] = open[i].total;
        for (const b of buckets(open[i].aggs.org)) {
          const row = perOrg.get(String(b.key)) ?? zeroBySeverity();
          row[sev] = b.count;
          perOrg.set(String(b.key), row);
        }
      }

      const topRules = await Promise.all(
        buckets(inRange.aggs.rules).map(async (b) => {
          const one = await store.search({
            datasets: ['alert'],
            orgIds,
            from,
            to,
            filters: [{ field: 'rule.id', op: 'eq', value: String(b.key) }],
            size: 1,
          });
          return { id: String(b.key), name: one.hits[0]?.rule?.name ?? String(b.key), count: b.count };
        }),
      );

      const trendMap = new Map<number, { alerts: number; events: number }>();
      for (let t = Math.floor(from / intervalMs) * intervalMs; t < to; t += intervalMs)
        trendMap.set(t, { alerts: 0, events: 0 });
      for (const b of buckets(inRange.aggs.trend))
        trendMap.set(Number(b.key), { ...(trendMap.get(Number(b.key)) ?? { events: 0 }), alerts: b.count });
      for (const b of buckets(events.aggs.trend))
        trendMap.set(Number(b.key), { ...(trendMap.get(Number(b.key)) ?? { alerts: 0 }), events: b.count });

      const todayBySeverity = zeroBySeverity();
      for (const b of buckets(today.aggs.sev))
        if (String(b.key) in todayBySeverity) todayBySeverity[b.key as Severity] = b.count;

      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        intervalMs,
        kpis: {
          alertsOpen: { total: Object.values(openBySeverity).reduce((a, b) => a + b, 0), bySeverity: openBySeverity },
          alertsNewToday: { total: today.total, bySeverity: todayBySeverity },
          eventsPerSecond: Math.round((events.total / ((to - from) / 1000)) * 100) / 100,
          events: events.total,
          collectorsUp: collectors.filter((c) => c.up).length,
          collectorsTotal: collectors.length,
        },
        trend: [...trendMap.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([t, v]) => ({ t: new Date(t).toISOString(), ...v })),
        severity: SEVERITIES.map((key) => ({
          key,
          count: buckets(inRange.aggs.sev).find((b) => b.key === key)?.count ?? 0,
        })),
        tactics: buckets(inRange.aggs.tactics).map((b) => ({ key: String(b.key), count: b.count })),
        topRules,
        topAssets: buckets(inRange.aggs.assets).map((b) => ({ key: String(b.key), count: b.count })),
        topSources: buckets(inRange.aggs.sources).map((b) => ({ key: String(b.key), count: b.count })),
        risk: riskRanking(ctx, orgIds, perOrg),
      };
    },
  );
};

/** Each node's own open alerts plus its children's, scored by severity weight. */
function riskRanking(ctx: AppContext, orgIds: string[], perOrg: Map<string, Record<Severity, number>>): RiskRow[] {
  const nodes = orgIds.map((id) => ctx.state.orgs.get(id)!).filter(Boolean);
  const rows = new Map<string, RiskRow>(
    nodes.map((n) => [
      n.id,
      {
        orgId: n.id,
        name: n.name,
        level: n.level,
        parentId: n.parentId,
        score: 0,
        open: 0,
        bySeverity: { ...(perOrg.get(n.id) ?? zeroBySeverity()) },
      },
    ]),
  );
  const depth = { school: 0, city: 1, province: 2 } as const;
  for (const n of [...nodes].sort((a, b) => depth[a.level] - depth[b.level])) {
    const row = rows.get(n.id)!;
    const parent = n.parentId ? rows.get(n.parentId) : undefined;
    if (parent) for (const s of SEVERITIES) parent.bySeverity[s] += row.bySeverity[s];
  }
  for (const row of rows.values()) {
    row.open = SEVERITIES.reduce((a, s) => a + row.bySeverity[s], 0);
    row.score = SEVERITIES.reduce((a, s) => a + row.bySeverity[s] * RISK_WEIGHT[s], 0);
  }
  return [...rows.values()].sort((a, b) => b.score - a.score || a.orgId.localeCompare(b.orgId));
}
