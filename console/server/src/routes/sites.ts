/**
 * The key-site monitor (网站监测): the registry scoped by organisation, each site's current status
 * and availability from the stored site.check results, the status wall by province → city →
 * school, and accepting a changed page as the new baseline (audited). Monitors of the subtree
 * (those who issue notices: city and provincial) and the system administrator write; everyone with
 * posture:read reads. Attacker-controlled page text is returned as data, for the SPA to show as text.
 */
import { dirname, resolve } from 'node:path';
import type { EcsEvent } from '@edusentry/core';
import {
  availability,
  BaselineStore,
  checkUrl,
  currentStatus,
  gbt20986Of,
  SiteRegistry,
  WALL_STATES,
  type Site,
  type SiteStatus,
  type WallState,
} from '@edusentry/sites';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { audit, inScope, scopeIds, type AppContext } from '../context';
import { apiError } from '../errors';
import { idParams, orgIdProp } from '../schemas';

/** Writing sites: the monitors who issue notices for their subtree, and the system administrator. */
const WRITE = { permission: ['notices:issue', 'orgs:write'] as const };
/** Reading: everyone with posture:read, and the system administrator who maintains the registry. */
const READ = { permission: ['posture:read', 'orgs:write'] as const };
/** How far back the current status looks (a site checked less often shows as unknown). */
const STATUS_WINDOW_MS = 2 * 3600_000;

const ADDRESS = '^[0-9a-fA-F:.]+(/[0-9]{1,3})?$';
const siteBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orgId: { type: 'string', minLength: 1, maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    url: { type: 'string', minLength: 1, maxLength: 2000 },
    keyPages: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 2000 } },
    expectedDns: { type: 'array', maxItems: 50, items: { type: 'string', pattern: ADDRESS } },
    ownCidrs: { type: 'array', maxItems: 50, items: { type: 'string', pattern: ADDRESS } },
    ownDomains: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 253 } },
    intervalSec: { type: 'integer', minimum: 30, maximum: 86_400 },
    owner: { type: 'string', maxLength: 500 },
    enabled: { type: 'boolean' },
  },
} as const;

type SiteBody = Partial<Omit<Site, 'id' | 'createdAt' | 'updatedAt'>>;

export const siteRoutes: FastifyPluginAsync<{ ctx: AppContext; dataDir?: string }> = async (app, opts) => {
  const { ctx } = opts;
  const { store, state } = ctx;
  // The monitor's registry and baselines live in the data directory the console's state is in.
  const dataDir = opts.dataDir ?? dirname(resolve(state.path));
  const registry = SiteRegistry.open(dataDir);
  const baselines = new BaselineStore(dataDir);
  app.addHook('onClose', async () => registry.close());

  const visible = (req: FastifyRequest, id: string): Site => {
    const s = registry.get(id);
    if (!s || !inScope(req, s.orgId)) throw apiError('EDU_ERR_NOT_FOUND', `no site "${id}"`);
    return s;
  };

  const normalise = (b: SiteBody, base?: Site): Omit<Site, 'id' | 'createdAt' | 'updatedAt'> => {
    const url = checkUrl(b.url ?? base?.url ?? '');
    if (typeof url !== 'string') throw apiError('EDU_ERR_VALIDATION', `body/url ${url.error}`);
    const keyPages: string[] = [];
    for (const [i, p] of (b.keyPages ?? base?.keyPages ?? []).entries()) {
      const u = checkUrl(p, url);
      if (typeof u !== 'string') throw apiError('EDU_ERR_VALIDATION', `body/keyPages/${i} ${u.error}`);
      if (u !== url && !keyPages.includes(u)) keyPages.push(u);
    }
    const name = b.name ?? base?.name;
    if (!name) throw apiError('EDU_ERR_VALIDATION', 'body/name is required');
    const orgId = b.orgId ?? base?.orgId;
    if (!orgId) throw apiError('EDU_ERR_VALIDATION', 'body/orgId is required');
    return {
      orgId,
      name,
      url,
      keyPages,
      owner: b.owner ?? base?.owner ?? '',
      intervalSec: b.intervalSec ?? base?.intervalSec ?? 300,
      expectedDns: b.expectedDns ?? base?.expectedDns ?? [],
      ownCidrs: b.ownCidrs ?? base?.ownCidrs ?? [],
      ownDomains: (b.ownDomains ?? base?.ownDomains ?? []).map((d) => d.toLowerCase()),
      enabled: b.enabled ?? base?.enabled ?? true,
    };
  };

  /** Latest results of the sites of `orgIds` (the last STATUS_WINDOW_MS). */
  const statuses = async (orgIds: string[], siteId?: string): Promise<Map<string, SiteStatus>> => {
    const res = await store.search({
      datasets: ['site.check'],
      orgIds,
      from: ctx.now() - STATUS_WINDOW_MS,
      to: ctx.now() + 60_000,
      filters: siteId ? [{ field: 'edu.site.id', op: 'eq', value: siteId }] : [],
      sort: [{ field: '@timestamp', order: 'desc' }],
      size: 10_000,
    });
    return currentStatus(res.hits as EcsEvent[]);
  };

  const unknown = (id: string): SiteStatus => ({ siteId: id, state: 'unknown', up: null, findings: [], dns: [] });

  app.get<{ Querystring: { orgId?: string; state?: WallState; kind?: string } }>(
    '/api/sites',
    {
      config: READ,
      schema: {
        tags: ['sites'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...orgIdProp,
            state: { type: 'string', enum: [...WALL_STATES] },
            kind: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
      },
    },
    async (req) => {
      const orgIds = scopeIds(ctx, req, req.query.orgId);
      const st = await statuses(orgIds);
      const order = (s: WallState) => WALL_STATES.indexOf(s);
      const items = registry
        .list(orgIds)
        .map((site) => {
          const s = st.get(site.id) ?? unknown(site.id);
          return { ...site, status: { ...s, kinds: [...new Set(s.findings.map((f) => f.kind))] } };
        })
        .filter((i) => !req.query.state || i.status.state === req.query.state)
        .filter((i) => !req.query.kind || i.status.kinds.includes(req.query.kind as never))
        .sort((a, b) => order(a.status.state) - order(b.status.state) || a.name.localeCompare(b.name));
      return { items, total: items.length };
    },
  );

  app.get<{ Querystring: { orgId?: string } }>(
    '/api/sites/wall',
    {
      config: READ,
      schema: {
        tags: ['sites'],
        querystring: { type: 'object', additionalProperties: false, properties: { ...orgIdProp } },
      },
    },
    async (req) => {
      const orgIds = scopeIds(ctx, req, req.query.orgId);
      const st = await statuses(orgIds);
      const counts = new Map<string, Record<WallState, number>>();
      const zero = () => Object.fromEntries(WALL_STATES.map((s) => [s, 0])) as Record<WallState, number>;
      const inTree = new Set(orgIds);
      for (const site of registry.list(orgIds)) {
        const s = (st.get(site.id) ?? unknown(site.id)).state;
        // A site counts at its own node and at every ancestor inside the caller's subtree.
        for (const o of [site.orgId, ...state.orgs.ancestors(site.orgId)]) {
          if (!inTree.has(o)) continue;
          if (!counts.has(o)) counts.set(o, zero());
          counts.get(o)![s]++;
        }
      }
      const worst = (c: Record<WallState, number>) => WALL_STATES.find((s) => c[s] > 0) ?? 'unknown';
      const nodes = orgIds
        .map((id) => state.orgs.get(id))
        .filter((o) => o && counts.has(o.id))
        .map((o) => ({
          orgId: o!.id,
          name: o!.name,
          level: o!.level,
          parentId: o!.parentId,
          counts: counts.get(o!.id)!,
          worst: worst(counts.get(o!.id)!),
        }))
        .sort((a, b) => WALL_STATES.indexOf(a.worst) - WALL_STATES.indexOf(b.worst) || a.name.localeCompare(b.name));
      return { states: WALL_STATES, items: nodes };
    },
  );

  app.post<{ Body: SiteBody }>(
    '/api/sites',
    { config: WRITE, schema: { tags: ['sites'], body: { ...siteBody, required: ['orgId', 'name', 'url'] } } },
    async (req, reply) => {
      scopeIds(ctx, req, req.body.orgId);
      const input = normalise(req.body);
      const existing = registry.byUrl(input.url);
      if (existing)
        throw apiError(
          'EDU_ERR_CONFLICT',
          `body/url ${input.url} is already registered${inScope(req, existing.orgId) ? ` as "${existing.name}"` : ''}`,
        );
      const { site } = registry.upsert(input);
      audit(ctx, req, { action: 'sites.create', target: site.id, details: { url: site.url, orgId: site.orgId } });
      reply.code(201);
      return site;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/sites/:id',
    { config: READ, schema: { tags: ['sites'], params: idParams } },
    async (req) => {
      const site = visible(req, req.params.id);
      const status = (await statuses([site.orgId], site.id)).get(site.id) ?? unknown(site.id);
      const pages = baselines.list(site.id).map((b) => ({
        url: b.url,
        recordedAt: b.recordedAt,
        changedAt: b.changedAt,
        acceptedBy: b.acceptedBy,
        pendingAccept: Boolean(b.pending),
        baseline: { title: b.title, text: b.textBlocks },
        current: b.pending ? { title: b.pending.title, text: b.pending.textBlocks } : undefined,
      }));
      return {
        site,
        status: { ...status, findings: status.findings.map((f) => ({ ...f, gbt20986: gbt20986Of(f.kind) })) },
        darkLinks: status.findings.filter((f) => f.kind === 'dark_link').map((f) => f.data),
        pages,
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { days?: number; by?: 'day' | 'month' } }>(
    '/api/sites/:id/availability',
    {
      config: READ,
      schema: {
        tags: ['sites'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            days: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
            by: { type: 'string', enum: ['day', 'month'], default: 'day' },
          },
        },
      },
    },
    async (req) => {
      const site = visible(req, req.params.id);
      const days = req.query.days ?? 30;
      const res = await store.search({
        datasets: ['site.check'],
        orgIds: [site.orgId],
        from: ctx.now() - days * 86_400_000,
        to: ctx.now() + 60_000,
        filters: [
          { field: 'edu.site.id', op: 'eq', value: site.id },
          { field: 'event.action', op: 'eq', value: 'http' },
        ],
        sort: [{ field: '@timestamp', order: 'asc' }],
        size: 10_000,
      });
      const hits = res.hits as EcsEvent[];
      return {
        siteId: site.id,
        items: availability(hits, req.query.by ?? 'day'),
        latency: hits.map((e) => ({
          at: e['@timestamp'],
          ms: (e.edu as { site?: { latency_ms?: number } }).site?.latency_ms ?? null,
        })),
      };
    },
  );

  app.patch<{ Params: { id: string }; Body: SiteBody }>(
    '/api/sites/:id',
    { config: WRITE, schema: { tags: ['sites'], params: idParams, body: siteBody } },
    async (req) => {
      const site = visible(req, req.params.id);
      if (req.body.orgId) scopeIds(ctx, req, req.body.orgId);
      const input = normalise(req.body, site);
      const other = registry.byUrl(input.url);
      if (other && other.id !== site.id)
        throw apiError('EDU_ERR_CONFLICT', `body/url ${input.url} is already registered`);
      const updated = registry.upsert({ ...input, id: site.id }).site;
      audit(ctx, req, { action: 'sites.update', target: site.id, details: { fields: Object.keys(req.body) } });
      return updated;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/sites/:id',
    { config: WRITE, schema: { tags: ['sites'], params: idParams } },
    async (req) => {
      const site = visible(req, req.params.id);
      registry.delete(site.id);
      baselines.remove(site.id);
      audit(ctx, req, { action: 'sites.delete', target: site.id, details: { url: site.url, orgId: site.orgId } });
      return { ok: true };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/sites/:id/baseline/accept',
    { config: WRITE, schema: { tags: ['sites'], params: idParams } },
    async (req) => {
      const site = visible(req, req.params.id);
      const actor = req.auth?.user.username ?? 'unknown';
      const pages = baselines.accept(site.id, actor);
      audit(ctx, req, { action: 'sites.baseline.accept', target: site.id, details: { pages } });
      return { accepted: pages };
    },
  );
};
