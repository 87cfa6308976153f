/** Login, logout, the current user, own password change, and the role table. */
import type { FastifyPluginAsync } from 'fastify';
import { sessionCookie } from '../auth/cookies';
import { assertPolicy, dummyHash, hashPassword, verifyPassword } from '../auth/password';
import { ROLE_PERMISSIONS, ROLES } from '../auth/roles';
import { audit, authOf, type AppContext } from '../context';
import { apiError } from '../errors';
import { publicUser } from '../state';

export const SESSION_COOKIE = 'edu_session';

export const authRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { state, config, sessions } = ctx;
  const secure = config.session.secureCookie;

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      config: { public: true, rateLimit: { max: config.rateLimit.loginMax, timeWindow: config.rateLimit.windowMs } },
      schema: {
        tags: ['auth'],
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 64 },
            password: { type: 'string', minLength: 1, maxLength: 256 },
          },
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const user = state.users.byUsername(username);
      const fail = (reason: string, orgId: string | null) =>
        audit(ctx, req, {
          action: 'auth.login_failed',
          actor: username,
          role: user?.role ?? null,
          orgId,
          target: user?.id ?? null,
          outcome: 'failure',
          details: { reason },
        });
      if (!user) {
        await verifyPassword(await dummyHash(), password); // same cost as a real check
        fail('unknown user', null);
        throw apiError('EDU_ERR_AUTH_FAILED', 'wrong username or password');
      }
      if (user.lockedUntilMs && user.lockedUntilMs > ctx.now()) {
        fail('locked', user.orgId);
        throw apiError(
          'EDU_ERR_ACCOUNT_LOCKED',
          `the account is locked after too many failed logins until ${new Date(user.lockedUntilMs).toISOString()}`,
          {
            lockedUntil: new Date(user.lockedUntilMs).toISOString(),
          },
        );
      }
      if (!(await verifyPassword(user.passwordHash, password))) {
        const r = state.users.recordFailure(user.id, config.lockout.threshold, config.lockout.minutes * 60_000);
        fail('wrong password', user.orgId);
        if (r.lockedUntil) {
          audit(ctx, req, {
            action: 'auth.locked',
            actor: username,
            role: user.role,
            orgId: user.orgId,
            target: user.id,
            details: { lockedUntil: new Date(r.lockedUntil).toISOString() },
          });
          throw apiError(
            'EDU_ERR_ACCOUNT_LOCKED',
            `too many failed logins: the account is locked until ${new Date(r.lockedUntil).toISOString()}`,
            {
              lockedUntil: new Date(r.lockedUntil).toISOString(),
            },
          );
        }
        throw apiError('EDU_ERR_AUTH_FAILED', 'wrong username or password', {
          remaining: config.lockout.threshold - r.failed,
        });
      }
      if (user.disabled) {
        fail('disabled', user.orgId);
        throw apiError('EDU_ERR_ACCOUNT_DISABLED', 'the account is disabled; ask the system administrator');
      }
      state.users.recordSuccess(user.id);
      const session = sessions.create(user.id);
      audit(ctx, req, {
        action: 'auth.login',
        actor: user.username,
        role: user.role,
        orgId: user.orgId,
        target: user.id,
      });
      reply.header('set-cookie', sessionCookie(SESSION_COOKIE, session.token, { secure }));
      const fresh = state.users.byId(user.id)!;
      return {
        user: publicUser(fresh),
        csrfToken: session.csrf,
        permissions: ROLE_PERMISSIONS[fresh.role],
        org: state.orgs.get(fresh.orgId),
      };
    },
  );

  app.post('/api/auth/logout', { config: { anyRole: true }, schema: { tags: ['auth'] } }, async (req, reply) => {
    const auth = authOf(req);
    audit(ctx, req, { action: 'auth.logout', target: auth.user.id });
    sessions.end(auth.session, 'logout');
    reply.header('set-cookie', sessionCookie(SESSION_COOKIE, '', { secure, maxAgeS: 0 }));
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { config: { anyRole: true }, schema: { tags: ['auth'] } }, async (req) => {
    const auth = authOf(req);
    return {
      user: auth.user,
      csrfToken: auth.session.csrf,
      permissions: ROLE_PERMISSIONS[auth.role],
      org: auth.org,
      idleMinutes: config.session.idleMinutes,
    };
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/auth/password',
    {
      config: { anyRole: true },
      schema: {
        tags: ['auth'],
        body: {
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          additionalProperties: false,
          properties: {
            currentPassword: { type: 'string', minLength: 1, maxLength: 256 },
            newPassword: { type: 'string', minLength: 1, maxLength: 256 },
          },
        },
      },
    },
    async (req, reply) => {
      const auth = authOf(req);
      const user = state.users.byId(auth.user.id)!;
      if (!(await verifyPassword(user.passwordHash, req.body.currentPassword))) {
        audit(ctx, req, {
          action: 'auth.password_change',
          target: user.id,
          outcome: 'failure',
          details: { reason: 'wrong current password' },
        });
        throw apiError('EDU_ERR_AUTH_FAILED', 'body/currentPassword is wrong');
      }
      assertPolicy(req.body.newPassword, user.username, config.password, 'body/newPassword');
      state.users.update(user.id, { passwordHash: await hashPassword(req.body.newPassword) });
      audit(ctx, req, { action: 'auth.password_change', target: user.id });
      return reply.status(204).send();
    },
  );

  app.get('/api/roles', { config: { anyRole: true }, schema: { tags: ['auth'] } }, async () => ({
    items: ROLES.map((role) => ({ role, permissions: ROLE_PERMISSIONS[role] })),
  }));
};
