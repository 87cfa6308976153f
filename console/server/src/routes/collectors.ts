/** Collectors: heartbeat, rates, spool depth, drops, last seen. */
import type { FastifyPluginAsync } from 'fastify';
import { latestCollectors } from '../collectors';
import { authOf, scopeIds, type AppContext } from '../context';
import { orgIdProp } from '../schemas';

export const collectorRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: { orgId?: string } }>(
    '/api/collectors',
    {
      config: { permission: 'collectors:read' },
      schema: {
        tags: ['collectors'],
        querystring: { type: 'object', additionalProperties: false, properties: { ...orgIdProp } },
      },
    },
    async (req) => {
      const orgIds = scopeIds(ctx, req, req.query.orgId);
      const items = await latestCollectors(ctx.store, {
        orgIds,
        withOrgless: authOf(req).isRoot && !req.query.orgId,
        now: ctx.now(),
        downAfterS: ctx.config.collectorDownAfterSeconds,
      });
      return { items };
    },
  );
};
