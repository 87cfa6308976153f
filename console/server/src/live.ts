/**
 * Live push over socket.io. A connection is authenticated by the session cookie and
 * accepted only from the console's own origin (or one configured in console.live);
 * the socket joins one room per organisation of its user's subtree for each kind
 * of event its role may see (`alerts:<org>`, `collectors:<org>`), so an event is
 * emitted to the room of its organisation and reaches exactly the allowed users.
 * What is pushed comes from the store (store-tail.ts: alerts and heartbeats written by
 * any process); the in-process bus only makes it quicker inside one process, and an
 * event heard both ways is pushed once. Triage changes are pushed when the console writes them.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AlertEvent, Dataset, EcsEvent, HeartbeatEvent } from '@edusentry/core';
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { readCookie } from './auth/cookies';
import { can } from './auth/roles';
import type { EndReason, Session } from './auth/sessions';
import { toCollector } from './collectors';
import type { AppContext } from './context';
import { SESSION_COOKIE } from './routes/auth';
import { withSeverity } from './severity';
import { RecentIds, StoreTail } from './store-tail';

declare module 'fastify' {
  interface FastifyInstance {
    io: Server | null;
  }
}

const sessionRoom = (token: string) => `session:${createHash('sha256').update(token).digest('hex').slice(0, 24)}`;
const ORGLESS = 'orgless';

/**
 * A browser always sends Origin on a cross-site request and a WebSocket handshake: it must be
 * the console's own (the same host and port the request was sent to) or one configured. A
 * request without Origin (a same-origin polling GET, a non-browser client) still needs the cookie.
 */
export function originAllowed(req: IncomingMessage, extra: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (extra.includes(origin)) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === req.headers.host && u.origin === origin;
  } catch {
    return false;
  }
}

export function attachLive(app: FastifyInstance, ctx: AppContext): Server {
  const { allowedOrigins, pollMs } = ctx.config.live;
  const io = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    allowRequest: (req, done) => {
      const ok = originAllowed(req, allowedOrigins);
      done(ok ? null : `origin ${req.headers.origin} is not the console's own`, ok);
    },
  });
  app.decorate('io', io);

  io.use((socket, next) => {
    const found = ctx.sessions.touch(readCookie(socket.request.headers.cookie, SESSION_COOKIE));
    const user = found && found !== 'expired' ? ctx.state.users.byId(found.userId) : undefined;
    if (!found || found === 'expired' || !user || user.disabled)
      return next(new Error(found === 'expired' ? 'EDU_ERR_SESSION_EXPIRED' : 'EDU_ERR_AUTH_REQUIRED'));
    const orgIds = ctx.state.orgs.subtree(user.orgId);
    const isRoot = user.orgId === ctx.state.orgs.installationRoot();
    const rooms = [sessionRoom(found.token)];
    // Until a password an administrator set is changed, the session gets no pushes either.
    const role = user.mustChangePassword ? null : user.role;
    if (can(role, 'alerts:read')) rooms.push(...orgIds.map((o) => `alerts:${o}`));
    if (can(role, 'collectors:read'))
      rooms.push(...orgIds.map((o) => `collectors:${o}`), ...(isRoot ? [`collectors:${ORGLESS}`] : []));
    socket.data.username = user.username;
    void socket.join(rooms);
    next();
  });

  const pushAlert = (event: 'alert:new' | 'alert:updated', a: AlertEvent) => {
    const org = a.organization?.id;
    if (org) io.to(`alerts:${org}`).emit(event, withSeverity(a));
  };
  const pushHeartbeat = (hb: HeartbeatEvent) => {
    io.to(`collectors:${hb.organization?.id ?? ORGLESS}`).emit(
      'collector:heartbeat',
      toCollector(hb, ctx.now(), ctx.config.collectorDownAfterSeconds),
    );
  };
  // Heard on the bus and read from the store: pushed the first time only.
  const pushed = new RecentIds();
  const once = (e: { event: { id: string; dataset?: string } }) => pushed.add(`${e.event.dataset}:${e.event.id}`);
  /** What the console pushes of each tailed dataset. */
  const fromStore: Partial<Record<Dataset, (e: EcsEvent) => void>> = {
    alert: (e) => pushAlert('alert:new', e as unknown as AlertEvent),
    'collector.heartbeat': (e) => pushHeartbeat(e as unknown as HeartbeatEvent),
    // 'site.check' (#7): push a site's state change here, to its organisation's room.
  };
  const tail = new StoreTail({
    store: ctx.store,
    db: ctx.state.db,
    datasets: Object.keys(fromStore) as Dataset[],
    pollMs,
    log: ctx.log.child({ component: 'live' }),
    onEvent: (e) => {
      if (once(e)) fromStore[e.event.dataset]?.(e);
    },
  });
  const onNew = (a: AlertEvent) => {
    if (once(a)) pushAlert('alert:new', a);
  };
  const onUpdated = (a: AlertEvent) => pushAlert('alert:updated', a);
  const onHeartbeat = (hb: HeartbeatEvent) => {
    if (once(hb)) pushHeartbeat(hb);
  };
  const onEnded = (s: Session, reason: EndReason) => {
    const room = sessionRoom(s.token);
    io.to(room).emit('session:ended', { reason });
    io.in(room).disconnectSockets(true);
  };
  ctx.bus.on('alert', onNew);
  ctx.bus.on('alert-updated', onUpdated);
  ctx.bus.on('heartbeat', onHeartbeat);
  ctx.sessions.on('ended', onEnded);
  app.addHook('onReady', () => tail.start());

  app.addHook('preClose', async () => {
    await tail.stop();
    ctx.bus.off('alert', onNew);
    ctx.bus.off('alert-updated', onUpdated);
    ctx.bus.off('heartbeat', onHeartbeat);
    ctx.sessions.off('ended', onEnded);
    io.disconnectSockets(true);
    io.engine.close();
  });
  return io;
}
