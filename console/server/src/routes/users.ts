/**
 * Accounts, within the caller's subtree. 三员 separation: the system administrator
 * creates, disables, resets and deletes accounts (a new one has no role), the
 * security administrator grants a role and organisation scope (授权), and no one
 * changes an administrator account through the API (only `edusentry console create-admin`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { assertPolicy, hashPassword } from '../auth/password';
import { GRANTABLE_ROLES, isAdminRole, ROLES, type Role } from '../auth/roles';
import { assignableUsers } from '../assignees';
import { audit, authOf, inScope, paging, type AppContext } from '../context';
import { apiError } from '../errors';
import { idParams, orgIdProp, pagingProps } from '../schemas';
import { publicUser, type User } from '../state';

const usernameSchema = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;
const roleSchema = { type: 'string', enum: [...ROLES] } as const;
const NO_ROLE_ON_CREATE = 'a new account has no role; the security administrator grants one (PUT /api/users/:id/grant)';

export const userRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { state, config, sessions } = ctx;
  const read = { permission: 'users:read' as const };
  const write = { permission: 'users:write' as const };

  const visible = (req: Parameters<typeof authOf>[0], id: string): User => {
    const u = state.users.byId(id);
    if (!u || !inScope(req, u.orgId)) throw apiError('EDU_ERR_NOT_FOUND', `no user "${id}"`);
    return publicUser(u);
  };
  /** A visible account that the API may change: not an administrator's (that includes the caller's own). */
  const changeable = (req: Parameters<typeof authOf>[0], id: string): User => {
    const u = visible(req, id);
    if (isAdminRole(u.role))
      throw apiError(
        'EDU_ERR_FORBIDDEN',
        `"${u.username}" is an administrator account (${u.role}); administrator accounts are created and changed only on the server (edusentry console create-admin)`,
      );
    return u;
  };
  const assignableOrg = (req: Parameters<typeof authOf>[0], orgId: string, field: string) => {
    if (!state.orgs.get(orgId)) throw apiError('EDU_ERR_VALIDATION', `${field} "${orgId}" is not an organisation`);
    if (!inScope(req, orgId))
      throw apiError('EDU_ERR_OUT_OF_SCOPE', `${field} "${orgId}" is outside your organisation`);
  };

  app.get<{ Querystring: { page?: number; pageSize?: number; q?: string } }>(
    '/api/users',
    {
      config: read,
      schema: {
        tags: ['users'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pagingProps, q: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (req) => {
      const p = paging(req.query);
      const r = state.users.list({ orgIds: authOf(req).orgIds, text: req.query.q, limit: p.limit, offset: p.offset });
      return { total: r.total, page: p.page, pageSize: p.pageSize, items: r.items };
    },
  );

  // Who alerts and incidents can be given to; for the people who triage, not only the sys_admin.
  app.get<{ Querystring: { orgId?: string } }>(
    '/api/users/assignable',
    {
      config: { permission: ['alerts:triage', 'incidents:write'] },
      schema: {
        tags: ['users'],
        querystring: { type: 'object', additionalProperties: false, properties: { ...orgIdProp } },
      },
    },
    async (req) => ({ items: assignableUsers(ctx, req, req.query.orgId) }),
  );

  app.post<{ Body: { username: string; password: string; displayName?: string; role?: Role | null; orgId: string } }>(
    '/api/users',
    {
      config: write,
      schema: {
        tags: ['users'],
        body: {
          type: 'object',
          required: ['username', 'password', 'orgId'],
          additionalProperties: false,
          properties: {
            username: usernameSchema,
            password: { type: 'string', minLength: 1, maxLength: 256 },
            displayName: { type: 'string', maxLength: 128 },
            role: { type: ['string', 'null'], enum: [...ROLES, null] },
            orgId: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      assignableOrg(req, b.orgId, 'body/orgId');
      if (b.role) throw apiError('EDU_ERR_FORBIDDEN', `body/role: ${NO_ROLE_ON_CREATE}`);
      if (state.users.byUsername(b.username))
        throw apiError('EDU_ERR_CONFLICT', `body/username "${b.username}" is already taken`);
      assertPolicy(b.password, b.username, config.password, 'body/password');
      const user = state.users.create({
        username: b.username,
        displayName: b.displayName,
        role: null,
        orgId: b.orgId,
        passwordHash: await hashPassword(b.password, ctx.hashCost),
        mustChangePassword: true,
      });
      audit(ctx, req, {
        action: 'user.create',
        target: user.id,
        details: { username: user.username, role: null, orgId: user.orgId },
      });
      return reply.status(201).send(publicUser(user));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/users/:id',
    { config: read, schema: { tags: ['users'], params: idParams } },
    async (req) => visible(req, req.params.id),
  );

  app.patch<{
    Params: { id: string };
    Body: { displayName?: string; role?: Role; orgId?: string; disabled?: boolean; password?: string };
  }>(
    '/api/users/:id',
    {
      config: write,
      schema: {
        tags: ['users'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            displayName: { type: 'string', maxLength: 128 },
            role: roleSchema,
            orgId: { type: 'string', minLength: 1 },
            disabled: { type: 'boolean' },
            password: { type: 'string', minLength: 1, maxLength: 256 },
          },
        },
      },
    },
    async (req) => {
      const target = changeable(req, req.params.id);
      const b = req.body;
      if (b.role !== undefined || b.orgId !== undefined)
        throw apiError(
          'EDU_ERR_FORBIDDEN',
          `body/${b.role !== undefined ? 'role' : 'orgId'}: roles and organisation scope are granted by the security administrator (PUT /api/users/:id/grant)`,
        );
      if (b.password) assertPolicy(b.password, target.username, config.password, 'body/password');
      // A password set by someone else must be changed by its owner, and it takes the grant away: whoever set
      // it could log in first, so the security administrator grants the role again once the owner has the account.
      const user = state.users.update(target.id, {
        displayName: b.displayName,
        disabled: b.disabled,
        ...(b.password
          ? { passwordHash: await hashPassword(b.password, ctx.hashCost), mustChangePassword: true, role: null }
          : {}),
      });
      if (b.disabled || b.password) sessions.endUser(target.id);
      const { password, ...logged } = b;
      audit(ctx, req, {
        action: 'user.update',
        target: user.id,
        details: {
          username: user.username,
          ...logged,
          ...(password ? { passwordReset: true, previousRole: target.role } : {}),
        },
      });
      return publicUser(user);
    },
  );

  // 授权: the security administrator gives a non-administrator account its role and organisation scope.
  app.put<{ Params: { id: string }; Body: { role: Role | null; orgId?: string } }>(
    '/api/users/:id/grant',
    {
      config: { permission: 'users:grant' },
      schema: {
        tags: ['users'],
        params: idParams,
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: {
            role: { type: ['string', 'null'], enum: [...GRANTABLE_ROLES, null] },
            orgId: { type: 'string', minLength: 1 },
          },
        },
      },
    },
    async (req) => {
      const target = changeable(req, req.params.id);
      const b = req.body;
      if (b.orgId) assignableOrg(req, b.orgId, 'body/orgId');
      const user = state.users.update(target.id, { role: b.role, orgId: b.orgId });
      if (user.role !== target.role || user.orgId !== target.orgId) sessions.endUser(target.id);
      audit(ctx, req, {
        action: 'user.grant',
        target: user.id,
        details: {
          username: user.username,
          role: user.role,
          orgId: user.orgId,
          previousRole: target.role,
          previousOrgId: target.orgId,
        },
      });
      return publicUser(user);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/users/:id/unlock',
    { config: write, schema: { tags: ['users'], params: idParams } },
    async (req) => {
      const target = changeable(req, req.params.id);
      const user = state.users.unlock(target.id);
      audit(ctx, req, { action: 'user.unlock', target: user.id, details: { username: user.username } });
      return publicUser(user);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/users/:id',
    { config: write, schema: { tags: ['users'], params: idParams } },
    async (req, reply) => {
      const target = changeable(req, req.params.id);
      state.users.remove(target.id);
      sessions.endUser(target.id);
      audit(ctx, req, { action: 'user.delete', target: target.id, details: { username: target.username } });
      return reply.status(204).send();
    },
  );
};
