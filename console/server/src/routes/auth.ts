/** Login, logout, the current user, own password change, and the role table. */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sessionCookie } from '../auth/cookies';
import { assertPolicy, dummyHash, hashPassword, verifyPassword } from '../auth/password';
import { LoginGuard } from '../auth/lockout';
import { permissionsOf, ROLE_PERMISSIONS, ROLES } from '../auth/roles';
import { audit, authOf, type AppContext } from '../context';
import { apiError } from '../errors';
import { publicUser } from '../state';

export const SESSION_COOKIE = 'edu_session';

/** The answer to every failed login: wrong password, unknown user, locked or disabled account alike. */
export const LOGIN_FAILED =
  'login failed: wrong username or password, or the account is locked or disabled (ask the system administrator)';

/** Secure cookie when configured, and whenever the request came over HTTPS (directly or via a trusted proxy). */
export function secureCookieFor(config: AppContext['config'], req: FastifyRequest): boolean {
  return config.session.secureCookie || req.protocol === 'https';
}

export const authRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { state, config, sessions } = ctx;
  const secureFor = (req: FastifyRequest) => secureCookieFor(config, req);
  const guard = new LoginGuard(state.users, config.lockout, ctx.now);

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
      // Read the account and admit the attempt in one tick: parallel guesses see each other's count.
      const found = state.users.byUsername(username);
      const user = found && !found.disabled ? found : undefined;
      const attempt = guard.admit(user, req.ip);
      const refused = typeof attempt === 'string' ? attempt : undefined;
      const fail = (reason: string) => {
        audit(ctx, req, {
          action: 'auth.login_failed',
          actor: username,
          role: found?.role ?? null,
          orgId: found?.orgId ?? null,
          target: found?.id ?? null,
          outcome: 'failure',
          details: { reason },
        });
        // One answer for every failure, so it tells nothing about the account (no enumeration).
        return apiError('EDU_ERR_AUTH_FAILED', LOGIN_FAILED);
      };
      // Every path verifies one hash, so the answer takes as long whatever the reason.
      const ok = await verifyPassword(user && !refused ? user.passwordHash : await dummyHash(ctx.hashCost), password);
      if (typeof attempt === 'string') throw fail(attempt);
      if (!user || !ok) {
        const locks = attempt.failed();
        if (locks.accountLockedUntil && found)
          audit(ctx, req, {
            action: 'auth.locked',
            actor: username,
            role: found.role,
            orgId: found.orgId,
            target: found.id,
            details: { lockedUntil: new Date(locks.accountLockedUntil).toISOString() },
          });
        if (locks.addressLockedUntil)
          audit(ctx, req, {
            action: 'auth.address_locked',
            actor: username,
            orgId: null,
            role: null,
            details: { address: req.ip, lockedUntil: new Date(locks.addressLockedUntil).toISOString() },
          });
        throw fail(!found ? 'unknown user' : found.disabled ? 'disabled' : 'wrong password');
      }
      if (!attempt.succeeded()) throw fail('account locked');
      const session = sessions.create(user.id);
      audit(ctx, req, {
        action: 'auth.login',
        actor: user.username,
        role: user.role,
        orgId: user.orgId,
        target: user.id,
      });
      reply.header('set-cookie', sessionCookie(SESSION_COOKIE, session.token, { secure: secureFor(req) }));
      const fresh = state.users.byId(user.id)!;
      return {
        user: publicUser(fresh),
        csrfToken: session.csrf,
        permissions: permissionsOf(fresh.role),
        org: state.orgs.get(fresh.orgId),
      };
    },
  );

  app.post('/api/auth/logout', { config: { anyRole: true }, schema: { tags: ['auth'] } }, async (req, reply) => {
    const auth = authOf(req);
    audit(ctx, req, { action: 'auth.logout', target: auth.user.id });
    sessions.end(auth.session, 'logout');
    reply.header('set-cookie', sessionCookie(SESSION_COOKIE, '', { secure: secureFor(req), maxAgeS: 0 }));
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { config: { anyRole: true }, schema: { tags: ['auth'] } }, async (req) => {
    const auth = authOf(req);
    return {
      user: auth.user,
      csrfToken: auth.session.csrf,
      permissions: auth.user.mustChangePassword ? [] : permissionsOf(auth.role),
      org: auth.org,
      idleMinutes: config.session.idleMinutes,
      expiresAt: new Date(auth.session.createdAt + config.session.absoluteHours * 3_600_000).toISOString(),
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
      if (await verifyPassword(user.passwordHash, req.body.newPassword))
        throw apiError('EDU_ERR_PASSWORD_POLICY', 'body/newPassword must differ from the current password', {
          problems: ['must differ from the current password'],
        });
      state.users.update(user.id, {
        passwordHash: await hashPassword(req.body.newPassword, ctx.hashCost),
        mustChangePassword: false,
      });
      // Whoever else holds a session of this account (a stolen cookie, the administrator who set the old password) is out.
      sessions.endUser(user.id, 'revoked', auth.session);
      audit(ctx, req, { action: 'auth.password_change', target: user.id });
      return reply.status(204).send();
    },
  );

  app.get('/api/roles', { config: { anyRole: true }, schema: { tags: ['auth'] } }, async () => ({
    items: ROLES.map((role) => ({ role, permissions: ROLE_PERMISSIONS[role] })),
  }));
};
