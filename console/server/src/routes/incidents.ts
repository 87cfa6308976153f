/** Incidents: alerts escalated with an education grade and a GB/Z 20986 category, an owner and a timeline. */
import type { AlertEvent } from '@edusentry/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { assertAssignable } from '../assignees';
import { audit, authOf, inScope, paging, scopeIds, type AppContext } from '../context';
import { apiError } from '../errors';
import { idParams, orgIdProp, pagingProps } from '../schemas';
import {
  allowedTransition,
  CATEGORIES,
  GRADES,
  INCIDENT_STATUSES,
  type Category,
  type Grade,
  type Incident,
  type IncidentStatus,
} from '../state';

const alertIdsSchema = {
  type: 'array',
  maxItems: 500,
  items: { type: 'string', minLength: 1, maxLength: 200 },
} as const;

export const incidentRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { state, store } = ctx;
  const read = { permission: 'incidents:read' as const };
  const write = { permission: 'incidents:write' as const };

  const visible = (req: FastifyRequest, id: string): Incident => {
    const inc = state.incidents.get(id, true);
    if (!inc || !inScope(req, inc.orgId)) throw apiError('EDU_ERR_NOT_FOUND', `no incident "${id}"`);
    return inc;
  };
  /** Every alert must exist and be visible to the caller; returns their organisations. */
  const alertOrgs = async (req: FastifyRequest, ids: string[]): Promise<string[]> => {
    const orgs: string[] = [];
    for (const [i, id] of ids.entries()) {
      const a = (await store.get(id, 'alert')) as unknown as AlertEvent | undefined;
      if (!a || a.event?.dataset !== 'alert' || !inScope(req, a.organization?.id))
        throw apiError('EDU_ERR_VALIDATION', `body/alertIds/${i} "${id}" is not an alert you can see`);
      orgs.push(a.organization!.id);
    }
    return orgs;
  };
  /** An incident holds only alerts of its own organisation's subtree, so its owners never see another school's. */
  const assertWithin = (ids: string[], alertOrgIds: string[], orgId: string): void => {
    const subtree = state.orgs.subtree(orgId);
    for (const [i, o] of alertOrgIds.entries())
      if (!subtree.includes(o))
        throw apiError(
          'EDU_ERR_VALIDATION',
          `body/alertIds/${i} "${ids[i]}" belongs to organisation "${o}", outside the incident's organisation "${orgId}"`,
        );
  };
  /** The nearest organisation holding all of `orgIds` (each node's ancestors, nearest first). */
  const commonAncestor = (orgIds: string[]): string | undefined => {
    const chains = orgIds.map((o) => [o, ...state.orgs.ancestors(o)]);
    return chains[0]?.find((o) => chains.every((c) => c.includes(o)));
  };
  const checkOwner = (req: FastifyRequest, owner: string | undefined | null, orgId: string) => {
    if (owner) assertAssignable(ctx, req, owner, orgId, 'body/owner');
  };

  app.get('/api/incidents/meta', { config: read, schema: { tags: ['incidents'] } }, async () => ({
    grades: GRADES,
    categories: CATEGORIES,
    statuses: INCIDENT_STATUSES,
  }));

  app.get<{
    Querystring: {
      page?: number;
      pageSize?: number;
      status?: string;
      grade?: string;
      category?: string;
      orgId?: string;
      q?: string;
    };
  }>(
    '/api/incidents',
    {
      config: read,
      schema: {
        tags: ['incidents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pagingProps,
            ...orgIdProp,
            status: { type: 'string', enum: [...INCIDENT_STATUSES] },
            grade: { type: 'string', enum: [...GRADES] },
            category: { type: 'string', enum: [...CATEGORIES] },
            q: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const p = paging(q);
      const r = state.incidents.list({
        orgIds: scopeIds(ctx, req, q.orgId),
        status: q.status,
        grade: q.grade,
        category: q.category,
        text: q.q,
        limit: p.limit,
        offset: p.offset,
      });
      return { total: r.total, page: p.page, pageSize: p.pageSize, items: r.items };
    },
  );

  app.post<{
    Body: {
      title: string;
      description?: string;
      grade: Grade;
      category: Category;
      orgId?: string;
      owner?: string;
      alertIds?: string[];
    };
  }>(
    '/api/incidents',
    {
      config: write,
      schema: {
        tags: ['incidents'],
        body: {
          type: 'object',
          required: ['title', 'grade', 'category'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 200 },
            description: { type: 'string', maxLength: 10000 },
            grade: { type: 'string', enum: [...GRADES] },
            category: { type: 'string', enum: [...CATEGORIES] },
            ...orgIdProp,
            owner: { type: 'string', minLength: 1, maxLength: 64 },
            alertIds: alertIdsSchema,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const auth = authOf(req);
      const alertIds = [...new Set(b.alertIds ?? [])];
      const alertOrgIds = await alertOrgs(req, alertIds);
      // Without orgId: the nearest organisation holding every alert (the caller's own when there are none).
      const common = commonAncestor([...new Set(alertOrgIds)]);
      const orgId = b.orgId ?? (common && inScope(req, common) ? common : auth.user.orgId);
      if (b.orgId) scopeIds(ctx, req, b.orgId);
      if (!state.orgs.get(orgId)) throw apiError('EDU_ERR_VALIDATION', `body/orgId "${orgId}" is not an organisation`);
      assertWithin(alertIds, alertOrgIds, orgId);
      checkOwner(req, b.owner, orgId);
      const inc = state.incidents.create({
        title: b.title,
        description: b.description,
        grade: b.grade,
        category: b.category,
        orgId,
        owner: b.owner ?? null,
        createdBy: auth.user.username,
        alertIds,
      });
      audit(ctx, req, {
        action: 'incident.create',
        target: inc.id,
        details: { title: inc.title, grade: inc.grade, category: inc.category, orgId, alertIds },
      });
      return reply.status(201).send(inc);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/incidents/:id',
    { config: read, schema: { tags: ['incidents'], params: idParams } },
    async (req) => visible(req, req.params.id),
  );

  app.patch<{
    Params: { id: string };
    Body: {
      title?: string;
      description?: string;
      grade?: Grade;
      category?: Category;
      owner?: string | null;
      status?: IncidentStatus;
    };
  }>(
    '/api/incidents/:id',
    {
      config: write,
      schema: {
        tags: ['incidents'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 200 },
            description: { type: 'string', maxLength: 10000 },
            grade: { type: 'string', enum: [...GRADES] },
            category: { type: 'string', enum: [...CATEGORIES] },
            owner: { type: ['string', 'null'], maxLength: 64 },
            status: { type: 'string', enum: [...INCIDENT_STATUSES] },
          },
        },
      },
    },
    async (req) => {
      const cur = visible(req, req.params.id);
      const b = req.body;
      if (b.status && !allowedTransition(cur.status, b.status))
        throw apiError('EDU_ERR_INVALID_TRANSITION', `an incident cannot go from ${cur.status} to ${b.status}`);
      checkOwner(req, b.owner, cur.orgId);
      const inc = state.incidents.update(cur.id, authOf(req).user.username, b);
      audit(ctx, req, { action: 'incident.update', target: inc.id, details: { ...b, orgId: inc.orgId } });
      return inc;
    },
  );

  app.post<{ Params: { id: string }; Body: { kind: 'action' | 'evidence' | 'note'; text: string } }>(
    '/api/incidents/:id/timeline',
    {
      config: write,
      schema: {
        tags: ['incidents'],
        params: idParams,
        body: {
          type: 'object',
          required: ['kind', 'text'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['action', 'evidence', 'note'] },
            text: { type: 'string', minLength: 1, maxLength: 4000 },
          },
        },
      },
    },
    async (req, reply) => {
      const inc = visible(req, req.params.id);
      const entry = state.incidents.addTimeline(inc.id, authOf(req).user.username, req.body.kind, req.body.text);
      audit(ctx, req, {
        action: 'incident.timeline',
        target: inc.id,
        details: { kind: req.body.kind, entryId: entry.id, orgId: inc.orgId },
      });
      return reply.status(201).send(entry);
    },
  );

  app.post<{ Params: { id: string }; Body: { alertIds: string[] } }>(
    '/api/incidents/:id/alerts',
    {
      config: write,
      schema: {
        tags: ['incidents'],
        params: idParams,
        body: {
          type: 'object',
          required: ['alertIds'],
          additionalProperties: false,
          properties: { alertIds: { ...alertIdsSchema, minItems: 1 } },
        },
      },
    },
    async (req) => {
      const inc = visible(req, req.params.id);
      assertWithin(req.body.alertIds, await alertOrgs(req, req.body.alertIds), inc.orgId);
      const out = state.incidents.addAlerts(inc.id, authOf(req).user.username, req.body.alertIds);
      audit(ctx, req, {
        action: 'incident.link_alerts',
        target: inc.id,
        details: { alertIds: req.body.alertIds, orgId: inc.orgId },
      });
      return out;
    },
  );
};
