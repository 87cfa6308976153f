/** The organisation tree: everyone reads their subtree; the system administrator edits it. */
import { randomBytes } from 'node:crypto';
import { cidrRange, type OrgLevel } from '@edusentry/core';
import type { FastifyPluginAsync } from 'fastify';
import { audit, authOf, inScope, type AppContext } from '../context';
import { apiError } from '../errors';
import { idParams } from '../schemas';

const cidrsSchema = { type: 'array', maxItems: 256, items: { type: 'string', minLength: 3, maxLength: 64 } } as const;

function checkCidrs(cidrs: string[] | undefined, field: string): void {
  for (const [i, c] of (cidrs ?? []).entries()) {
    try {
      if (!c.includes('/')) throw new Error('no prefix length');
      cidrRange(c);
    } catch {
      throw apiError('EDU_ERR_VALIDATION', `${field}/${i} "${c}" is not a CIDR block like 10.1.0.0/16`);
    }
  }
}

export const orgRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { orgs } = ctx.state;
  const visible = (req: Parameters<typeof authOf>[0], id: string) => {
    const n = orgs.get(id);
    if (!n || !inScope(req, id)) throw apiError('EDU_ERR_NOT_FOUND', `no organisation "${id}"`);
    return n;
  };

  app.get('/api/orgs', { config: { permission: 'orgs:read' }, schema: { tags: ['orgs'] } }, async (req) => ({
    items: orgs.subtreeNodes(authOf(req).user.orgId),
  }));

  app.get<{ Params: { id: string } }>(
    '/api/orgs/:id',
    { config: { permission: 'orgs:read' }, schema: { tags: ['orgs'], params: idParams } },
    async (req) => visible(req, req.params.id),
  );

  app.post<{ Body: { id?: string; name: string; level: OrgLevel; parentId: string; cidrs?: string[] } }>(
    '/api/orgs',
    {
      config: { permission: 'orgs:write' },
      schema: {
        tags: ['orgs'],
        body: {
          type: 'object',
          required: ['name', 'level', 'parentId'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9_-]{1,64}$' },
            name: { type: 'string', minLength: 1, maxLength: 128 },
            level: { type: 'string', enum: ['city', 'school'] },
            parentId: { type: 'string', minLength: 1 },
            cidrs: cidrsSchema,
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const parentNode = orgs.get(b.parentId);
      if (!parentNode || !inScope(req, b.parentId))
        throw apiError('EDU_ERR_OUT_OF_SCOPE', `body/parentId "${b.parentId}" is not an organisation in your subtree`);
      if (orgs.childLevel(parentNode.level) !== b.level)
        throw apiError(
          'EDU_ERR_VALIDATION',
          `body/level: a ${parentNode.level} can only have ${orgs.childLevel(parentNode.level) ?? 'no'} children, not ${b.level}`,
        );
      checkCidrs(b.cidrs, 'body/cidrs');
      let id = b.id ?? '';
      while (!b.id && (!id || orgs.everUsed(id))) id = `${b.level}-${randomBytes(5).toString('hex')}`;
      const gone = orgs.deletedAt(id);
      if (gone !== undefined)
        throw apiError(
          'EDU_ERR_CONFLICT',
          `body/id "${id}" belonged to an organisation deleted at ${new Date(gone).toISOString()}; ids are never reused (its history stays with it), choose another`,
        );
      if (orgs.everUsed(id)) throw apiError('EDU_ERR_CONFLICT', `body/id "${id}" already exists`);
      const node = orgs.insert({ id, name: b.name, level: b.level, parentId: b.parentId, cidrs: b.cidrs ?? [] });
      audit(ctx, req, { action: 'org.create', target: node.id, details: { ...node } });
      return reply.status(201).send(node);
    },
  );

  app.patch<{ Params: { id: string }; Body: { name?: string; cidrs?: string[] } }>(
    '/api/orgs/:id',
    {
      config: { permission: 'orgs:write' },
      schema: {
        tags: ['orgs'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, cidrs: cidrsSchema },
        },
      },
    },
    async (req) => {
      const before = visible(req, req.params.id);
      checkCidrs(req.body.cidrs, 'body/cidrs');
      const node = orgs.update(before.id, req.body);
      audit(ctx, req, {
        action: 'org.update',
        target: node.id,
        details: { before: { name: before.name, cidrs: before.cidrs }, after: req.body },
      });
      return node;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/orgs/:id',
    { config: { permission: 'orgs:write' }, schema: { tags: ['orgs'], params: idParams } },
    async (req, reply) => {
      const node = visible(req, req.params.id);
      if (node.id === authOf(req).user.orgId)
        throw apiError('EDU_ERR_CONFLICT', 'you cannot delete your own organisation');
      if (orgs.hasChildren(node.id))
        throw apiError('EDU_ERR_CONFLICT', `organisation "${node.id}" still has child organisations`);
      if (ctx.state.users.countInOrg(node.id))
        throw apiError('EDU_ERR_CONFLICT', `organisation "${node.id}" still has users`);
      orgs.remove(node.id, authOf(req).user.username, ctx.now());
      audit(ctx, req, { action: 'org.delete', target: node.id, details: { name: node.name, soft: true } });
      return reply.status(204).send();
    },
  );
};
