/**
 * Alerts: server-side filtered/sorted/paginated list, detail, triage and notes.
 * Triage writes go to the alert document in the EventStore (its current state),
 * to the triage history (who changed what when) and to the audit trail, and are
 * announced on the bus so live clients see them.
 */
import type { AlertEvent, EcsEvent, Filter } from '@edusentry/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { assertAssignable } from '../assignees';
import { audit, authOf, inScope, isAddress, scopeIds, storePaging, timeRange, type AppContext } from '../context';
import { ALL_ERRORS, apiError } from '../errors';
import { idParams, orgIdProp, pagingProps, timeProps } from '../schemas';
import { SEVERITIES, withSeverity } from '../severity';
import { boundedText } from './search';
import { TRIAGE_ACTIONS, type TriageAction, type TriageEntry } from '../state';

type Status = AlertEvent['edu']['alert']['status'];
const STATUSES: Status[] = ['new', 'acknowledged', 'false_positive', 'closed'];
const SORTABLE = ['@timestamp', 'event.severity', 'rule.name', 'edu.alert.status', 'organization.id'];

interface ListQuery {
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
  status?: string;
  severity?: string;
  ruleId?: string;
  orgId?: string;
  assignee?: string;
  sourceIp?: string;
  destinationIp?: string;
  asset?: string;
  remote?: string;
  q?: string;
  sort?: string;
  order?: 'asc' | 'desc';
}

interface TriageBody {
  action: TriageAction;
  assignee?: string;
  reason?: string;
}

const triageBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: TRIAGE_ACTIONS },
    assignee: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: 'string', minLength: 1, maxLength: 2000 },
  },
} as const;

function csv<T extends string>(v: string | undefined, allowed: readonly T[], field: string): T[] | undefined {
  if (!v) return undefined;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items)
    if (!allowed.includes(i as T))
      throw apiError('EDU_ERR_VALIDATION', `querystring/${field} "${i}" is not one of ${allowed.join(', ')}`);
  return items as T[];
}

/** The next state for a triage action, or an error naming why not. */
export function transition(current: Status, body: TriageBody): { status: Status; error?: string } {
  const closed = current === 'closed' || current === 'false_positive';
  switch (body.action) {
    case 'acknowledge':
      return current === 'new'
        ? { status: 'acknowledged' }
        : { status: current, error: `only a new alert can be acknowledged (it is ${current})` };
    case 'assign':
      if (!body.assignee) return { status: current, error: 'body/assignee is required for assign' };
      return closed
        ? { status: current, error: `a ${current} alert cannot be assigned; reopen it first` }
        : { status: current === 'new' ? 'acknowledged' : current };
    case 'false_positive':
    case 'close':
      if (!body.reason) return { status: current, error: `body/reason is required for ${body.action}` };
      return closed
        ? { status: current, error: `the alert is already ${current}` }
        : { status: body.action === 'close' ? 'closed' : 'false_positive' };
    case 'reopen':
      return closed
        ? { status: 'acknowledged' }
        : { status: current, error: `only a closed or false-positive alert can be reopened (it is ${current})` };
  }
}

export const alertRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { store, state, bus } = ctx;

  /** The alert if it exists and the caller may see it; 404 otherwise (existence is not leaked). */
  const visibleAlert = async (req: FastifyRequest, id: string): Promise<AlertEvent> => {
    const doc = (await store.get(id, 'alert')) as unknown as AlertEvent | undefined;
    if (!doc || doc.event?.dataset !== 'alert' || !doc.organization?.id || !inScope(req, doc.organization.id))
      throw apiError('EDU_ERR_NOT_FOUND', `no alert "${id}"`);
    return doc;
  };

  const triage = async (
    req: FastifyRequest,
    id: string,
    body: TriageBody,
  ): Promise<{ alert: AlertEvent; entry: TriageEntry }> => {
    const auth = authOf(req);
    const doc = await visibleAlert(req, id);
    const current = doc.edu?.alert?.status ?? 'new';
    const next = transition(current, body);
    if (next.error)
      throw apiError(next.error.startsWith('body/') ? 'EDU_ERR_VALIDATION' : 'EDU_ERR_INVALID_TRANSITION', next.error);
    if (body.action === 'assign') assertAssignable(ctx, req, body.assignee!, doc.organization!.id, 'body/assignee');
    const patch: Record<string, unknown> = {
      status: next.status,
      updated_at: new Date(ctx.now()).toISOString(),
      updated_by: auth.user.username,
    };
    if (body.action === 'assign') patch.assignee = body.assignee;
    if (body.reason) patch.reason = body.reason;
    if (body.action === 'reopen') patch.reason = null;
    if (!(await store.update(id, 'alert', { edu: { alert: patch } })))
      throw apiError('EDU_ERR_NOT_FOUND', `no alert "${id}"`);
    const entry = state.triage.record({
      alertId: id,
      orgId: doc.organization!.id,
      actor: auth.user.username,
      action: body.action,
      from: current,
      to: next.status,
      assignee: body.assignee,
      reason: body.reason,
    });
    audit(ctx, req, {
      action: 'alert.triage',
      target: id,
      details: {
        action: body.action,
        from: current,
        to: next.status,
        assignee: body.assignee,
        reason: body.reason,
        alertOrg: doc.organization!.id,
      },
    });
    const updated = ((await store.get(id, 'alert')) as unknown as AlertEvent | undefined) ?? doc;
    bus.emit('alert-updated', updated);
    return { alert: withSeverity(updated), entry };
  };

  app.get<{ Querystring: ListQuery }>(
    '/api/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        tags: ['alerts'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeProps,
            ...pagingProps,
            ...orgIdProp,
            status: { type: 'string', description: `comma-separated: ${STATUSES.join(',')}` },
            severity: { type: 'string', description: `comma-separated: ${SEVERITIES.join(',')}` },
            ruleId: { type: 'string', maxLength: 200 },
            assignee: { type: 'string', maxLength: 64 },
            sourceIp: { type: 'string', maxLength: 64 },
            destinationIp: { type: 'string', maxLength: 64 },
            asset: { type: 'string', maxLength: 64, description: 'the campus end of the alert (edu.alert.asset)' },
            remote: { type: 'string', maxLength: 64, description: 'the other end (edu.alert.remote)' },
            q: { type: 'string', maxLength: 200 },
            sort: { type: 'string', enum: SORTABLE, default: '@timestamp' },
            order: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const orgIds = scopeIds(ctx, req, q.orgId);
      const { from, to } = timeRange(ctx, q, 7 * 86_400_000);
      const p = storePaging(q, 'querystring');
      const filters: Filter[] = [];
      const statuses = csv(q.status, STATUSES, 'status');
      if (statuses) filters.push({ field: 'edu.alert.status', op: 'in', values: statuses });
      const severities = csv(q.severity, SEVERITIES, 'severity');
      if (severities) filters.push({ field: 'rule.level', op: 'in', values: severities });
      if (q.ruleId) filters.push({ field: 'rule.id', op: 'eq', value: q.ruleId });
      if (q.assignee) filters.push({ field: 'edu.alert.assignee', op: 'eq', value: q.assignee });
      for (const [field, v, name] of [
        ['source.ip', q.sourceIp, 'sourceIp'],
        ['destination.ip', q.destinationIp, 'destinationIp'],
      ] as const) {
        if (!v) continue;
        if (!isAddress(v, v.includes('/')))
          throw apiError('EDU_ERR_VALIDATION', `querystring/${name} "${v}" is not an IP address or CIDR block`);
        filters.push(v.includes('/') ? { field, op: 'cidr', value: v } : { field, op: 'eq', value: v });
      }
      for (const [field, v, name] of [
        ['edu.alert.asset', q.asset, 'asset'],
        ['edu.alert.remote', q.remote, 'remote'],
      ] as const) {
        if (!v) continue;
        if (!isAddress(v, false))
          throw apiError('EDU_ERR_VALIDATION', `querystring/${name} "${v}" is not an IP address`);
        filters.push({ field, op: 'eq', value: v });
      }
      const res = await store.search<AlertEvent>({
        datasets: ['alert'],
        from,
        to,
        orgIds,
        filters,
        text: boundedText(q.q, from, to, 'querystring', 'q'),
        sort: [{ field: q.sort ?? '@timestamp', order: q.order ?? 'desc' }],
        size: p.limit,
        offset: p.offset,
      });
      return { total: res.total, page: p.page, pageSize: p.pageSize, items: res.hits.map(withSeverity) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/alerts/:id',
    { config: { permission: 'alerts:read' }, schema: { tags: ['alerts'], params: idParams } },
    async (req) => {
      const doc = await visibleAlert(req, req.params.id);
      const ids = (doc.edu?.alert?.events ?? []).slice(0, 50);
      const events = (await Promise.all(ids.map((id) => store.get(id)))).filter(
        (e): e is EcsEvent => !!e && inScope(req, e.organization?.id),
      );
      const user = doc.user?.name ?? events.find((e) => e.user?.name)?.user?.name ?? null;
      return {
        alert: withSeverity(doc),
        rule: {
          id: doc.rule.id,
          name: doc.rule.name,
          description: doc.rule.description ?? null,
          author: doc.rule.author ?? null,
          license: doc.rule.license ?? null,
          level: doc.rule.level ?? null,
          reference: doc.rule.reference ?? [],
        },
        events,
        user,
        history: state.triage.history(doc.event.id),
        notes: state.triage.notes(doc.event.id),
        incidents: state.incidents
          .forAlert(doc.event.id)
          .filter((i) => inScope(req, i.orgId))
          .map(({ id, title }) => ({ id, title })),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/alerts/:id/history',
    { config: { permission: 'alerts:read' }, schema: { tags: ['alerts'], params: idParams } },
    async (req) => {
      const doc = await visibleAlert(req, req.params.id);
      return { items: state.triage.history(doc.event.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: TriageBody }>(
    '/api/alerts/:id/triage',
    { config: { permission: 'alerts:triage' }, schema: { tags: ['alerts'], params: idParams, body: triageBody } },
    async (req) => triage(req, req.params.id, req.body),
  );

  app.post<{ Body: TriageBody & { ids: string[] } }>(
    '/api/alerts/bulk',
    {
      config: { permission: 'alerts:triage' },
      schema: {
        tags: ['alerts'],
        body: {
          ...triageBody,
          required: ['ids', 'action'],
          properties: {
            ...triageBody.properties,
            ids: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
      },
    },
    async (req) => {
      const { ids, ...body } = req.body;
      const updated: string[] = [];
      const failed: { id: string; code: string; message: string }[] = [];
      for (const id of [...new Set(ids)]) {
        try {
          await triage(req, id, body);
          updated.push(id);
        } catch (err) {
          const e = err as { code?: string; message: string };
          // A server-side failure (a store's, with its URL) goes to the error handler, not into the answer.
          if (!e.code?.startsWith('EDU_ERR_') || (ALL_ERRORS[e.code]?.status ?? 500) >= 500) throw err;
          failed.push({ id, code: e.code, message: e.message });
        }
      }
      return { updated, failed };
    },
  );

  app.post<{ Params: { id: string }; Body: { text: string } }>(
    '/api/alerts/:id/notes',
    {
      config: { permission: 'alerts:triage' },
      schema: {
        tags: ['alerts'],
        params: idParams,
        body: {
          type: 'object',
          required: ['text'],
          additionalProperties: false,
          properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } },
        },
      },
    },
    async (req, reply) => {
      const doc = await visibleAlert(req, req.params.id);
      const note = state.triage.addNote(doc.event.id, doc.organization!.id, authOf(req).user.username, req.body.text);
      audit(ctx, req, {
        action: 'alert.note',
        target: doc.event.id,
        details: { noteId: note.id, alertOrg: doc.organization!.id },
      });
      return reply.status(201).send(note);
    },
  );
};
