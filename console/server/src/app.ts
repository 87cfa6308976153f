/**
 * The console's fastify app, built apart from `listen` so tests drive it through
 * `app.inject()`. Plugins are registered per area; every route declares in its
 * `config` who may call it (`public`, `anyRole` or a `permission`), and one hook
 * enforces session, CSRF and role before any handler runs — a route without a
 * declaration is refused.
 */
import { STATUS_CODES } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { policyDirOf } from '@edusentry/analyzer';
import { timingSafeEqual } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createLogger, EventBus, isEduError, type ErrorCode, type EventStore, type Logger } from '@edusentry/core';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { readCookie } from './auth/cookies';
import type { HashCost } from './auth/password';
import { canAny } from './auth/roles';
import { Sessions } from './auth/sessions';
import { consoleConfig, type ConsoleConfig, type ConsoleConfigInput } from './config';
import type { AppContext, RouteAccess } from './context';
import { apiError, statusOf } from './errors';
import { auditCheckpointPath } from './state/audit-anchor';
import { attachLive } from './live';
import { alertRoutes } from './routes/alerts';
import { auditRoutes } from './routes/audit';
import { authRoutes, SESSION_COOKIE } from './routes/auth';
import { collectorRoutes } from './routes/collectors';
import { incidentRoutes } from './routes/incidents';
import { noticeRoutes } from './routes/notices';
import { orgRoutes } from './routes/orgs';
import { postureRoutes } from './routes/posture';
import { ruleRoutes } from './routes/rules';
import { searchRoutes } from './routes/search';
import { siteRoutes } from './routes/sites';
import { userRoutes } from './routes/users';
import { ConsoleState, publicUser } from './state';
import { RulePolicy } from './state/rule-policy';

export interface BuildOptions {
  store: EventStore;
  /** App-state SQLite file (users, orgs, triage, incidents, audit). */
  statePath: string;
  /** The rule policy folder shared with the analyzer; default rule-policy/ beside the state file. */
  rulePolicyDir?: string;
  bus?: EventBus;
  config?: ConsoleConfigInput;
  /** Clock, for tests of idle timeout and lockout. */
  now?: () => number;
  log?: Logger;
  /** Cheaper password hashes, for tests that set many passwords (default: argon2's own cost). */
  hashCost?: HashCost;
  /** Attach socket.io (default true). */
  live?: boolean;
}

/** A registered API route and who may call it (the matrix test walks these). */
export interface ApiRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    apiRoutes: ApiRoute[];
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function build(opts: BuildOptions): Promise<FastifyInstance> {
  const config = consoleConfig(opts.config ?? {});
  const https = config.tls ? tlsOptions(config.tls) : undefined; // before anything is opened
  const now = opts.now ?? Date.now;
  const log = opts.log ?? createLogger('console', 'info');
  const state = new ConsoleState(opts.statePath, now);
  // The audit trail's tail, anchored outside the database (state/audit-anchor.ts).
  state.audit.anchorTo(config.audit.checkpointPath ?? auditCheckpointPath(opts.statePath), config.audit.syslog, log);
  const ctx: AppContext = {
    store: opts.store,
    state,
    bus: opts.bus ?? new EventBus(),
    config,
    sessions: new Sessions(config.session.idleMinutes * 60_000, now, config.session.absoluteHours * 3_600_000),
    now,
    log,
    hashCost: opts.hashCost,
  };

  const app = Fastify({
    // Per-request lines are info; the console logs warnings and errors only.
    loggerInstance: log.child({ component: 'http' }, { level: 'warn' }) as unknown as FastifyBaseLogger,
    ...(https ? { https } : {}),
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: false,
        allowUnionTypes: true,
      },
    },
    schemaErrorFormatter: (errors, dataVar) => {
      const e = errors[0];
      const where = `${dataVar}${e.instancePath ?? ''}`;
      const extra =
        e.keyword === 'additionalProperties'
          ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
          : '';
      return new Error(`${where} ${e.message ?? 'is invalid'}${extra}`);
    },
  });
  app.decorate('ctx', ctx);
  app.decorateRequest('auth', null);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    let code: ErrorCode;
    let message = err.message;
    let details: unknown;
    if (isEduError(err)) {
      code = err.code;
      details = err.details;
      // A store's failure names its URL and the engine's reasons: for the server log, not the user.
      // A store timeout's message is the console's own advice (narrow the query), without the store's URL.
      if (statusOf(code) >= 500 && code !== 'EDU_ERR_STORE_TIMEOUT') {
        message = `${code.startsWith('EDU_ERR_STORE') ? 'the event store failed' : 'internal error'} (request ${req.id}); see the server log`;
        details = undefined;
        req.log.error({ err, url: req.url }, 'request failed');
      }
    } else if ((err as { validation?: unknown }).validation) {
      code = 'EDU_ERR_VALIDATION';
    } else if (err.statusCode === 429) {
      code = 'EDU_ERR_RATE_LIMITED';
    } else if (err.statusCode === 404) {
      code = 'EDU_ERR_NOT_FOUND';
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      code = 'EDU_ERR_VALIDATION';
    } else {
      code = 'EDU_ERR_INTERNAL';
      message = `internal error (request ${req.id}); see the server log`;
      req.log.error({ err, url: req.url }, 'request failed');
    }
    const statusCode =
      code === 'EDU_ERR_VALIDATION' && err.statusCode && err.statusCode >= 400 && err.statusCode < 500
        ? err.statusCode
        : statusOf(code);
    reply.status(statusCode).send({
      statusCode,
      code,
      error: STATUS_CODES[statusCode],
      message,
      ...(details !== undefined ? { details } : {}),
      ...(statusCode >= 500 ? { requestId: req.id } : {}),
    });
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'connect-src': ["'self'", 'ws:', 'wss:'], 'img-src': ["'self'", 'data:', 'blob:'] },
    },
  });
  await app.register(rateLimit, {
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    errorResponseBuilder: (_req, c) =>
      Object.assign(
        apiError(
          'EDU_ERR_RATE_LIMITED',
          `too many requests: at most ${c.max} per ${Math.round(c.ttl / 1000) || 1} s from one address, retry in ${Math.ceil(c.ttl / 1000)} s`,
        ),
        { statusCode: 429 },
      ),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'EduSentry console API',
        version: '1.0.0',
        description: 'See console/server/API.md. Cookie session + x-csrf-token header on writes.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  app.addHook('onRequest', async (req) => authorise(ctx, req));
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (r) => {
    const methods = ([] as string[]).concat(r.method).filter((m) => m !== 'HEAD');
    if (r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      for (const method of methods) apiRoutes.push({ method, url: r.url, access: (r.config ?? {}) as RouteAccess });
  });

  app.get('/api/health', { config: { public: true }, schema: { tags: ['meta'] } }, async () => ({
    ok: true,
    version: '0.1.0',
  }));
  await app.register(authRoutes, { ctx });
  await app.register(userRoutes, { ctx });
  await app.register(orgRoutes, { ctx });
  await app.register(alertRoutes, { ctx });
  await app.register(incidentRoutes, { ctx });
  await app.register(noticeRoutes, { ctx });
  await app.register(postureRoutes, { ctx });
  await app.register(searchRoutes, { ctx });
  await app.register(collectorRoutes, { ctx });
  await app.register(siteRoutes, { ctx });
  await app.register(auditRoutes, { ctx });
  await app.register(ruleRoutes, {
    ctx,
    policy: new RulePolicy(opts.rulePolicyDir ?? policyDirOf(dirname(resolve(opts.statePath))), now, (id) =>
      state.orgs.subtree(id),
    ),
  });

  const dist = resolve(config.webDist ?? join(__dirname, '..', '..', 'web', 'dist'));
  const hasSpa = existsSync(join(dist, 'index.html'));
  // Wildcard: files are looked up per request, so chunks of a rebuild made while the server runs are served.
  if (hasSpa) await app.register(fastifyStatic, { root: dist, wildcard: true, index: ['index.html'] });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    // A missing asset is a 404, never index.html (a browser would run the page as a module script).
    const spaPage = !['/api/', '/socket.io', '/assets/'].some((p) => path.startsWith(p));
    if (hasSpa && req.method === 'GET' && spaPage) return reply.sendFile('index.html');
    throw apiError('EDU_ERR_NOT_FOUND', `no ${path.startsWith('/assets/') ? 'file' : 'route'} ${req.method} ${path}`);
  });

  const sweep = setInterval(() => ctx.sessions.sweep(), 30_000);
  sweep.unref();
  const checkpoint = () => {
    try {
      state.audit.checkpoint();
    } catch (err) {
      log.error({ err }, 'audit checkpoint failed');
    }
  };
  checkpoint();
  const anchorTimer = setInterval(checkpoint, config.audit.checkpointSeconds * 1000);
  anchorTimer.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    clearInterval(anchorTimer);
    checkpoint();
    state.close();
  });
  if (opts.live !== false) attachLive(app, ctx);
  else app.decorate('io', null);
  return app;
}

/** The certificate and key of `console.tls`, read once at start; a missing file names the setting. */
function tlsOptions(tls: NonNullable<ConsoleConfig['tls']>): { cert: Buffer; key: Buffer } {
  const read = (file: string, key: 'cert' | 'key') => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw apiError(
        'EDU_ERR_CONFIG',
        `console.tls.${key}: cannot read "${file}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  };
  return { cert: read(tls.cert, 'cert'), key: read(tls.key, 'key') };
}

/** What a session whose password someone else set may still do: see itself, change the password, log out. */
const BEFORE_PASSWORD_CHANGE = new Set(['GET /api/auth/me', 'POST /api/auth/password', 'POST /api/auth/logout']);

/** Session, CSRF and role, for every /api route. */
async function authorise(ctx: AppContext, req: FastifyRequest): Promise<void> {
  // Decided on the route that matched, never the raw URL: "/%61pi/alerts" matches "/api/alerts" too.
  const route = req.routeOptions.url;
  // Unknown route (or one only the static wildcard matches): the not-found handler answers.
  if (!route?.startsWith('/api/') || route.startsWith('/api/docs')) return;
  const access = req.routeOptions.config ?? {};
  if (access.public) return;
  const found = ctx.sessions.touch(readCookie(req.headers.cookie, SESSION_COOKIE));
  if (found === 'expired')
    throw apiError(
      'EDU_ERR_SESSION_EXPIRED',
      `the session ended: idle for more than ${ctx.config.session.idleMinutes} minutes, or older than ${ctx.config.session.absoluteHours} hours; log in again`,
    );
  if (!found) throw apiError('EDU_ERR_AUTH_REQUIRED', 'log in first (POST /api/auth/login)');
  const user = ctx.state.users.byId(found.userId);
  if (!user || user.disabled) {
    ctx.sessions.end(found, 'revoked');
    throw apiError('EDU_ERR_AUTH_REQUIRED', 'the account no longer exists or is disabled; log in again');
  }
  if (!SAFE_METHODS.has(req.method)) {
    const sent = Buffer.from(String(req.headers['x-csrf-token'] ?? ''));
    const want = Buffer.from(found.csrf);
    if (sent.length !== want.length || !timingSafeEqual(sent, want))
      throw apiError('EDU_ERR_CSRF', 'missing or wrong x-csrf-token header; take the token from GET /api/auth/me');
  }
  const org = ctx.state.orgs.get(user.orgId)!;
  req.auth = {
    user: publicUser(user),
    session: found,
    role: user.role,
    orgIds: ctx.state.orgs.subtree(user.orgId),
    org,
    isRoot: org?.id === ctx.state.orgs.installationRoot(),
  };
  if (user.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(`${req.method} ${route}`))
    throw apiError(
      'EDU_ERR_PASSWORD_CHANGE_REQUIRED',
      'the password of this account was set by an administrator: change it first (POST /api/auth/password)',
    );
  if (access.anyRole) return;
  if (!access.permission || !canAny(user.role, access.permission)) {
    const needs = access.permission ? ([] as string[]).concat(access.permission).join(' or ') : '';
    throw apiError(
      'EDU_ERR_FORBIDDEN',
      `${user.role ? `role ${user.role}` : 'an account without a role'} may not call ${req.method} ${route}${needs ? ` (needs ${needs})` : ''}`,
    );
  }
}
