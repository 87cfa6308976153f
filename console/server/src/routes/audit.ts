/** The audit trail (read-only) and its verification: for the audit administrator and auditors. */
import type { FastifyPluginAsync } from 'fastify';
import { authOf, paging, type AppContext } from '../context';
import { apiError } from '../errors';
import { pagingProps, timeProps } from '../schemas';

export const auditRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get<{
    Querystring: { from?: string; to?: string; actor?: string; action?: string; page?: number; pageSize?: number };
  }>(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeProps,
            ...pagingProps,
            actor: { type: 'string', maxLength: 64 },
            action: { type: 'string', maxLength: 64 },
          },
        },
      },
    },
    async (req) => {
      const auth = authOf(req);
      const p = paging(req.query);
      const ms = (v: string | undefined, name: string) => {
        if (!v) return undefined;
        const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
        if (!Number.isFinite(n))
          throw apiError('EDU_ERR_VALIDATION', `querystring/${name} must be an ISO-8601 time or epoch milliseconds`);
        return n;
      };
      const r = ctx.state.audit.list({
        from: ms(req.query.from, 'from'),
        to: ms(req.query.to, 'to'),
        actor: req.query.actor,
        action: req.query.action,
        orgIds: auth.orgIds,
        includeOrgless: auth.isRoot,
        limit: p.limit,
        offset: p.offset,
      });
      return { total: r.total, page: p.page, pageSize: p.pageSize, items: r.items };
    },
  );

  // The whole chain is verified for everyone; below the installation root the answer covers the caller's subtree.
  app.get('/api/audit/verify', { config: { permission: 'audit:read' }, schema: { tags: ['audit'] } }, async (req) => {
    const auth = authOf(req);
    return ctx.state.audit.verify(auth.isRoot ? undefined : { orgId: auth.org.id, orgIds: auth.orgIds });
  });
};
