/**
 * Notices (通报—整改—复核): routes, the state machine's checks of who may act, the
 * attachments, the stats, the bell, and the notification queue and escalation timer
 * they feed. Wrapped in fastify-plugin so `app.notices` (the service) reaches tests
 * and other areas (a site check may publish `site.down`); the routes themselves and
 * the multipart parser stay in an inner, encapsulated plugin.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import multipart from '@fastify/multipart';
import type { AlertEvent } from '@edusentry/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AttachmentStore, contentDisposition, safeName, sniff } from '../attachments';
import { audit, authOf, inScope, paging, scopeIds, timeRange, type AppContext } from '../context';
import { deadlineAfter, localDate } from '../deadlines';
import { apiError } from '../errors';
import { Bell } from '../notify/bell';
import { Escalation } from '../notify/escalation';
import type { NotifyMessage } from '../notify/message';
import { NoticeEvents } from '../notify/notice-events';
import { NotifyQueue } from '../notify/queue';
import { idParams, orgIdProp, pagingProps, timeProps } from '../schemas';
import { severityOf } from '../severity';
import {
  allowedFrom,
  NOTICE_CATEGORIES,
  NOTICE_SEVERITIES,
  NOTICE_STATUSES,
  Notices,
  OPEN_STATUSES,
  SOURCE_KINDS,
  TRANSITIONS,
  type Notice,
  type NoticeAction,
  type NoticeFact,
  type NoticeSource,
  type NoticeStatus,
} from '../state/notices';
import type { Grade } from '../state';

export interface NoticeService {
  notices: Notices;
  queue: NotifyQueue;
  bell: Bell;
  events: NoticeEvents;
  escalation: Escalation;
  /** For other areas: an event (alert.new, site.down, …) to the routed channels. */
  publish(msg: NotifyMessage): number[];
}

declare module 'fastify' {
  interface FastifyInstance {
    notices: NoticeService;
  }
}

const commentProp = { type: 'string', maxLength: 4000 } as const;

export const noticeRoutes = fp<{ ctx: AppContext }>(async (app, { ctx }) => {
  const { state, config, log } = ctx;
  const notices = new Notices(state.db, ctx.now);
  const queue = new NotifyQueue(state.db, config.notify, {
    now: ctx.now,
    log: log.child({ component: 'notify' }),
    subtree: (id) => state.orgs.subtree(id),
  });
  const bell = new Bell(state.db, ctx.now);
  const events = new NoticeEvents(state, bell, queue, log, ctx.now);
  const escalation = new Escalation(notices, events, {
    remindBefore: config.notices.remindBefore,
    checkMs: config.notices.checkMs,
    now: ctx.now,
    log,
  });
  const service: NoticeService = { notices, queue, bell, events, escalation, publish: (m) => queue.publish(m) };
  app.decorate('notices', service);

  const onAlert = (a: AlertEvent) => {
    queue.publish({
      event: 'alert.new',
      title: `新告警：${a.rule?.name ?? a.event.id}`,
      text: [`${a.rule?.level ?? ''} · ${a.organization?.id ?? ''}`, a.rule?.description ?? ''].join('\n'),
      severity: severityOf(a),
      orgId: a.organization?.id,
      at: a['@timestamp'],
    });
  };
  if (config.notify.routes.length) ctx.bus.on('alert', onAlert);
  app.addHook('onReady', async () => {
    queue.start();
    escalation.start();
  });
  app.addHook('preClose', async () => {
    ctx.bus.off('alert', onAlert);
    escalation.stop();
    await queue.stop();
  });

  await app.register(routes, { ctx, service });
});

const routes: FastifyPluginAsync<{ ctx: AppContext; service: NoticeService }> = async (app, { ctx, service }) => {
  const { state, config, store } = ctx;
  const { notices, events, bell } = service;
  const files = new AttachmentStore(join(dirname(state.path), 'notice-attachments'));
  const limits = config.notices.attachments;
  await app.register(multipart, { limits: { fileSize: limits.maxBytes, files: 1, fields: 5, parts: 6 } });

  const read = { permission: 'notices:read' as const };
  const issue = { permission: 'notices:issue' as const };
  const rectify = { permission: 'notices:rectify' as const };

  const visible = (req: FastifyRequest, id: string): Notice => {
    const n = notices.get(id, true);
    if (!n || !inScope(req, n.orgId)) throw apiError('EDU_ERR_NOT_FOUND', `no notice "${id}"`);
    return n;
  };
  const mustBe = (req: FastifyRequest, n: Notice, side: 'target' | 'issuer', what: string) => {
    const own = authOf(req).user.orgId;
    if (own !== (side === 'target' ? n.orgId : n.issuerOrgId))
      throw apiError(
        'EDU_ERR_FORBIDDEN',
        side === 'target'
          ? `only the target organisation "${n.orgId}" may ${what} notice ${n.number}`
          : `only the issuing organisation "${n.issuerOrgId}" may ${what} notice ${n.number}`,
      );
  };
  const checkState = (n: Notice, action: NoticeAction) => {
    const from = allowedFrom(action, n.childIds.length > 0);
    if (!from.includes(n.status))
      throw apiError(
        'EDU_ERR_NOTICE_STATE',
        `notice ${n.number} is ${n.status}; ${action} needs it to be ${from.join(' or ')}`,
        { status: n.status, action, allowedFrom: from },
      );
  };
  const username = (req: FastifyRequest) => authOf(req).user.username;
  const auditNotice = (req: FastifyRequest, action: string, n: Notice, details: Record<string, unknown> = {}) =>
    audit(ctx, req, {
      action: `notice.${action}`,
      target: n.id,
      details: { number: n.number, orgId: n.orgId, status: n.status, ...details },
    });
  /** A source must be something the caller can see. */
  const checkSource = async (req: FastifyRequest, s: NoticeSource) => {
    for (const [i, id] of s.ids.entries()) {
      const where = `body/source/ids/${i} "${id}"`;
      if (s.kind === 'alert') {
        const a = (await store.get(id, 'alert')) as unknown as AlertEvent | undefined;
        if (!a || a.event?.dataset !== 'alert' || !inScope(req, a.organization?.id))
          throw apiError('EDU_ERR_VALIDATION', `${where} is not an alert you can see`);
      } else if (s.kind === 'incident') {
        const inc = state.incidents.get(id);
        if (!inc || !inScope(req, inc.orgId))
          throw apiError('EDU_ERR_VALIDATION', `${where} is not an incident you can see`);
      }
    }
  };
  const cal = { ...config.notices, utcOffsetMinutes: config.notices.utcOffsetMinutes };
  const year = () => localDate(ctx.now(), cal).slice(0, 4);

  app.get('/api/notices/meta', { config: read, schema: { tags: ['notices'] } }, async () => ({
    statuses: NOTICE_STATUSES,
    severities: NOTICE_SEVERITIES,
    categories: NOTICE_CATEGORIES,
    sourceKinds: SOURCE_KINDS,
    deadlines: config.notices.deadlines,
    transitions: TRANSITIONS,
    attachments: { maxBytes: limits.maxBytes },
  }));

  app.post<{
    Body: {
      orgId: string;
      title: string;
      category: string;
      severity: Grade;
      actions: string;
      deadline?: string;
      source?: NoticeSource;
    };
  }>(
    '/api/notices',
    {
      config: issue,
      schema: {
        tags: ['notices'],
        body: {
          type: 'object',
          required: ['orgId', 'title', 'category', 'severity', 'actions'],
          additionalProperties: false,
          properties: {
            ...orgIdProp,
            title: { type: 'string', minLength: 1, maxLength: 200 },
            category: { type: 'string', enum: [...NOTICE_CATEGORIES] },
            severity: { type: 'string', enum: [...NOTICE_SEVERITIES] },
            actions: { type: 'string', minLength: 1, maxLength: 10000 },
            deadline: { type: 'string', format: 'date-time' },
            source: {
              type: 'object',
              required: ['kind', 'ids'],
              additionalProperties: false,
              properties: {
                kind: { type: 'string', enum: [...SOURCE_KINDS] },
                ids: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 100,
                  items: { type: 'string', minLength: 1, maxLength: 200 },
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const auth = authOf(req);
      scopeIds(ctx, req, b.orgId);
      if (b.orgId === auth.user.orgId)
        throw apiError('EDU_ERR_VALIDATION', `body/orgId must be an organisation below yours, not "${b.orgId}" itself`);
      const now = ctx.now();
      const deadline = b.deadline
        ? Date.parse(b.deadline)
        : deadlineAfter(now, config.notices.deadlines[b.severity], cal);
      if (deadline <= now) throw apiError('EDU_ERR_VALIDATION', `body/deadline ${b.deadline} is not in the future`);
      if (b.source) await checkSource(req, b.source);
      const n = notices.create({
        issuerOrgId: auth.user.orgId,
        author: auth.user.username,
        orgId: b.orgId,
        title: b.title,
        category: b.category,
        severity: b.severity,
        actions: b.actions,
        deadline,
        source: b.source ? { kind: b.source.kind, ids: [...new Set(b.source.ids)] } : null,
        year: year(),
      });
      auditNotice(req, 'issue', n, { severity: n.severity, deadline: n.deadline, source: n.source });
      events.emit('notice.issued', n);
      return reply.status(201).send(n);
    },
  );

  app.get<{
    Querystring: {
      status?: NoticeStatus;
      orgId?: string;
      overdue?: boolean;
      from?: string;
      to?: string;
      page?: number;
      pageSize?: number;
    };
  }>(
    '/api/notices',
    {
      config: read,
      schema: {
        tags: ['notices'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pagingProps,
            ...orgIdProp,
            ...timeProps,
            status: { type: 'string', enum: [...NOTICE_STATUSES] },
            overdue: { type: 'boolean' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const p = paging(q);
      const range = q.from || q.to ? timeRange(ctx, q, 100 * 365 * 86_400_000) : undefined;
      const r = notices.list({
        orgIds: scopeIds(ctx, req, q.orgId),
        status: q.status,
        overdue: q.overdue,
        from: range?.from,
        to: range?.to,
        limit: p.limit,
        offset: p.offset,
      });
      return { total: r.total, page: p.page, pageSize: p.pageSize, items: r.items };
    },
  );

  app.get<{ Querystring: { from?: string; to?: string; orgId?: string } }>(
    '/api/notices/stats',
    {
      config: read,
      schema: {
        tags: ['notices'],
        querystring: { type: 'object', additionalProperties: false, properties: { ...timeProps, ...orgIdProp } },
      },
    },
    async (req) => {
      const { from, to } = timeRange(ctx, req.query, 365 * 86_400_000);
      const auth = authOf(req);
      const nodeId = req.query.orgId ?? auth.user.orgId;
      scopeIds(ctx, req, nodeId);
      const children = state.orgs.all().filter((o) => o.parentId === nodeId);
      const rows = (children.length ? children : [state.orgs.get(nodeId)!]).map((o) => ({
        orgId: o.id,
        name: o.name,
        level: o.level,
        ...figures(notices.facts(state.orgs.subtree(o.id), from, to), ctx.now()),
      }));
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        orgId: nodeId,
        total: figures(notices.facts(state.orgs.subtree(nodeId), from, to), ctx.now()),
        items: rows,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/notices/:id',
    { config: read, schema: { tags: ['notices'], params: idParams } },
    async (req) => visible(req, req.params.id),
  );

  app.post<{ Params: { id: string }; Body: { comment?: string } }>(
    '/api/notices/:id/acknowledge',
    {
      config: rectify,
      schema: {
        tags: ['notices'],
        params: idParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { comment: commentProp } },
      },
    },
    async (req) => {
      const n = visible(req, req.params.id);
      mustBe(req, n, 'target', 'acknowledge');
      checkState(n, 'acknowledge');
      const out = notices.transition(n.id, username(req), 'acknowledge', 'acknowledged', req.body?.comment ?? '');
      auditNotice(req, 'acknowledge', out);
      events.emit('notice.acknowledged', out);
      return out;
    },
  );

  app.post<{ Params: { id: string }; Body: { report: string; attachmentIds?: string[] } }>(
    '/api/notices/:id/submit',
    {
      config: rectify,
      schema: {
        tags: ['notices'],
        params: idParams,
        body: {
          type: 'object',
          required: ['report'],
          additionalProperties: false,
          properties: {
            report: { type: 'string', minLength: 1, maxLength: 20000 },
            attachmentIds: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 64 } },
          },
        },
      },
    },
    async (req) => {
      const n = visible(req, req.params.id);
      mustBe(req, n, 'target', 'submit a rectification for');
      checkState(n, 'submit');
      const ids = [...new Set(req.body.attachmentIds ?? [])];
      const known = new Set(n.attachments!.map((a) => a.id));
      ids.forEach((id, i) => {
        if (!known.has(id))
          throw apiError('EDU_ERR_VALIDATION', `body/attachmentIds/${i} "${id}" is not an attachment of this notice`);
      });
      const out = notices.transition(n.id, username(req), 'submit', 'submitted', req.body.report, {
        report: req.body.report,
        attachmentIds: ids,
      });
      auditNotice(req, 'submit', out, { attachmentIds: ids });
      events.emit('notice.submitted', out);
      return out;
    },
  );

  app.post<{ Params: { id: string }; Body: { decision: 'accept' | 'return'; comment: string } }>(
    '/api/notices/:id/review',
    {
      config: issue,
      schema: {
        tags: ['notices'],
        params: idParams,
        body: {
          type: 'object',
          required: ['decision', 'comment'],
          additionalProperties: false,
          properties: {
            decision: { type: 'string', enum: ['accept', 'return'] },
            comment: { ...commentProp, minLength: 1 },
          },
        },
      },
    },
    async (req) => {
      const n = visible(req, req.params.id);
      mustBe(req, n, 'issuer', 'review');
      const { decision, comment } = req.body;
      checkState(n, decision);
      const out = notices.transition(n.id, username(req), decision, TRANSITIONS[decision].to, comment);
      auditNotice(req, decision === 'accept' ? 'accept' : 'return', out, { comment });
      events.emit(decision === 'accept' ? 'notice.closed' : 'notice.returned', out, comment);
      if (decision === 'accept') closeParentIfDone(out);
      return out;
    },
  );

  /** A forwarded notice closes when every child is closed (withdrawn children do not count, but one must close). */
  const closeParentIfDone = (child: Notice) => {
    if (!child.parentId) return;
    const parent = notices.get(child.parentId)!;
    if (!OPEN_STATUSES.includes(parent.status)) return;
    const kids = notices.children(parent.id).filter((k) => k.status !== 'withdrawn');
    if (!kids.length || kids.some((k) => k.status !== 'closed')) return;
    const out = notices.transition(parent.id, 'system', 'accept', 'closed', 'all forwarded notices are closed');
    state.audit.append({
      actor: 'system',
      action: 'notice.accept',
      target: out.id,
      orgId: out.orgId,
      details: { number: out.number, orgId: out.orgId, status: out.status, reason: 'children closed' },
    });
    events.emit('notice.closed', out);
    closeParentIfDone(out);
  };

  app.post<{ Params: { id: string }; Body: { orgIds: string[] } }>(
    '/api/notices/:id/forward',
    {
      config: issue,
      schema: {
        tags: ['notices'],
        params: idParams,
        body: {
          type: 'object',
          required: ['orgIds'],
          additionalProperties: false,
          properties: {
            orgIds: {
              type: 'array',
              minItems: 1,
              maxItems: 500,
              items: { type: 'string', minLength: 1, maxLength: 64 },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const n = visible(req, req.params.id);
      mustBe(req, n, 'target', 'forward');
      const from: NoticeStatus[] = ['issued', 'acknowledged'];
      if (!from.includes(n.status))
        throw apiError(
          'EDU_ERR_NOTICE_STATE',
          `notice ${n.number} is ${n.status}; forward needs it to be issued or acknowledged`,
          {
            status: n.status,
            action: 'forward',
            allowedFrom: from,
          },
        );
      const below = state.orgs.subtree(n.orgId).filter((id) => id !== n.orgId);
      const already = new Set(notices.children(n.id).map((c) => c.orgId));
      const orgIds = [...new Set(req.body.orgIds)];
      orgIds.forEach((id, i) => {
        if (!below.includes(id))
          throw apiError('EDU_ERR_VALIDATION', `body/orgIds/${i} "${id}" is not an organisation below ${n.orgId}`);
        if (already.has(id)) throw apiError('EDU_ERR_VALIDATION', `body/orgIds/${i} "${id}" already has this notice`);
      });
      const user = username(req);
      if (n.status === 'issued')
        notices.transition(n.id, user, 'acknowledge', 'acknowledged', 'acknowledged by forwarding');
      const children = orgIds.map((orgId) =>
        notices.create({
          issuerOrgId: n.orgId,
          author: user,
          orgId,
          parentId: n.id,
          title: n.title,
          category: n.category,
          severity: n.severity,
          actions: n.actions,
          deadline: Date.parse(n.deadline),
          source: n.source,
          year: year(),
        }),
      );
      notices.addTimeline(n.id, user, 'forward', null, null, `forwarded to ${orgIds.join(', ')}`);
      const out = notices.get(n.id, true)!;
      auditNotice(req, 'forward', out, {
        children: children.map((c) => ({ id: c.id, number: c.number, orgId: c.orgId })),
      });
      for (const c of children) events.emit('notice.issued', c);
      events.emit('notice.forwarded', out, `forwarded to ${orgIds.join(', ')}`);
      return reply.status(201).send({ notice: out, children });
    },
  );

  app.post<{ Params: { id: string }; Body: { comment: string } }>(
    '/api/notices/:id/withdraw',
    {
      config: issue,
      schema: {
        tags: ['notices'],
        params: idParams,
        body: {
          type: 'object',
          required: ['comment'],
          additionalProperties: false,
          properties: { comment: { ...commentProp, minLength: 1 } },
        },
      },
    },
    async (req) => {
      const n = visible(req, req.params.id);
      mustBe(req, n, 'issuer', 'withdraw');
      checkState(n, 'withdraw');
      const out = notices.transition(n.id, username(req), 'withdraw', 'withdrawn', req.body.comment);
      auditNotice(req, 'withdraw', out, { comment: req.body.comment });
      events.emit('notice.withdrawn', out, req.body.comment);
      return out;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/notices/:id/attachments',
    { config: { permission: ['notices:rectify', 'notices:issue'] }, schema: { tags: ['notices'], params: idParams } },
    async (req, reply) => {
      const n = visible(req, req.params.id);
      const own = authOf(req).user.orgId;
      if (own !== n.orgId && own !== n.issuerOrgId)
        throw apiError(
          'EDU_ERR_FORBIDDEN',
          `only the target or the issuing organisation may attach files to ${n.number}`,
        );
      if (!OPEN_STATUSES.includes(n.status))
        throw apiError(
          'EDU_ERR_NOTICE_STATE',
          `notice ${n.number} is ${n.status}; files can be attached only while it is open`,
          {
            status: n.status,
            action: 'attach',
            allowedFrom: OPEN_STATUSES,
          },
        );
      if (n.attachments!.length >= limits.maxPerNotice)
        throw apiError('EDU_ERR_VALIDATION', `notice ${n.number} already has ${limits.maxPerNotice} attachments`);
      if (!req.isMultipart())
        throw apiError('EDU_ERR_VALIDATION', 'body must be multipart/form-data with one part "file"');
      const part = await req.file();
      if (!part) throw apiError('EDU_ERR_VALIDATION', 'body has no file part; send the file as the part "file"');
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw apiError('EDU_ERR_ATTACHMENT_TOO_LARGE', `body/file is larger than ${limits.maxBytes} bytes`);
        throw err;
      }
      const name = safeName(part.filename || 'file');
      if (!bytes.length) throw apiError('EDU_ERR_VALIDATION', `body/file "${name}" is empty`);
      const type = sniff(bytes, name);
      if (!type)
        throw apiError(
          'EDU_ERR_ATTACHMENT_TYPE',
          `body/file "${name}" is not an image, PDF, office document or plain text (its content was checked, not its name)`,
        );
      const sha256 = files.put(bytes);
      const a = notices.addAttachment({
        id: randomUUID(),
        noticeId: n.id,
        name,
        size: bytes.length,
        sha256,
        type,
        uploadedBy: username(req),
        orgId: own,
      });
      notices.addTimeline(n.id, a.uploadedBy, 'attach', null, null, name, [a.id]);
      auditNotice(req, 'attach', n, { attachmentId: a.id, name, size: a.size, sha256, type });
      return reply.status(201).send({ id: a.id, name: a.name, size: a.size, sha256: a.sha256, type: a.type });
    },
  );

  app.get<{ Params: { id: string; aid: string } }>(
    '/api/notices/:id/attachments/:aid',
    {
      config: read,
      schema: {
        tags: ['notices'],
        params: {
          type: 'object',
          required: ['id', 'aid'],
          properties: { id: { type: 'string', maxLength: 200 }, aid: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (req, reply) => {
      const n = visible(req, req.params.id);
      const a = n.attachments!.find((x) => x.id === req.params.aid);
      if (!a) throw apiError('EDU_ERR_NOT_FOUND', `notice ${n.number} has no attachment "${req.params.aid}"`);
      return reply
        .header('content-type', a.type)
        .header('content-disposition', contentDisposition(a.name))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, no-store')
        .send(files.get(a.sha256));
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/notifications',
    {
      config: { anyRole: true },
      schema: {
        tags: ['notices'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
        },
      },
    },
    async (req) => bell.list(authOf(req).user.id, req.query.limit ?? 20),
  );

  app.post<{ Body: { ids?: number[] } }>(
    '/api/notifications/read',
    {
      config: { anyRole: true },
      schema: {
        tags: ['notices'],
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { ids: { type: 'array', maxItems: 500, items: { type: 'integer', minimum: 1 } } },
        },
      },
    },
    async (req) => ({ marked: bell.markRead(authOf(req).user.id, req.body?.ids ?? []) }),
  );
};

/** The stats figures of a set of leaf notices; on-time rate is closed-on-time over those due or done. */
export function figures(facts: NoticeFact[], now: number) {
  const closed = facts.filter((f) => f.status === 'closed' && f.closedAt !== null);
  const open = facts.filter((f) => OPEN_STATUSES.includes(f.status));
  const closedOnTime = closed.filter((f) => f.closedAt! <= f.deadline).length;
  const overdueOpen = open.filter((f) => now > f.deadline).length;
  const hours = closed.map((f) => (f.closedAt! - f.createdAt) / 3_600_000).sort((a, b) => a - b);
  const rank = (p: number) => (hours.length ? round(hours[Math.ceil(p * hours.length) - 1]) : null);
  const due = closed.length + overdueOpen;
  return {
    issued: facts.length,
    open: open.length,
    closed: closed.length,
    closedOnTime,
    overdueOpen,
    onTimeRate: due ? round(closedOnTime / due) : null,
    medianHoursToClose: rank(0.5),
    p90HoursToClose: rank(0.9),
    returnsPerNotice: facts.length ? round(facts.reduce((s, f) => s + f.returns, 0) / facts.length) : null,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
