/**
 * Live push over socket.io. A connection is authenticated by the session cookie;
 * the socket joins one room per organisation of its user's subtree for each kind
 * of event its role may see (`alerts:<org>`, `collectors:<org>`), so an event is
 * emitted to the room of its organisation and reaches exactly the allowed users.
 */
import { createHash } from 'node:crypto';
import type { AlertEvent, HeartbeatEvent } from '@edusentry/core';
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { readCookie } from './auth/cookies';
import { can } from './auth/roles';
import type { EndReason, Session } from './auth/sessions';
import { toCollector } from './collectors';
import type { AppContext } from './context';
import { SESSION_COOKIE } from './routes/auth';
import { withSeverity } from './severity';

declare module 'fastify' {
  interface FastifyInstance {
    io: Server | null;
  }
}

const sessionRoom = (token: string) => `session:${createHash('sha256').update(token).digest('hex').slice(0, 24)}`;
const ORGLESS = 'orgless';

export function attachLive(app: FastifyInstance, ctx: AppContext): Server {
  const io = new Server(app.server, { path: '/socket.io', serveClient: false });
  app.decorate('io', io);

  io.use((socket, next) => {
    const found = ctx.sessions.touch(readCookie(socket.request.headers.cookie, SESSION_COOKIE));
    const user = found && found !== 'expired' ? ctx.state.users.byId(found.userId) : undefined;
    if (!found || found === 'expired' || !user || user.disabled)
      return next(new Error(found === 'expired' ? 'EDU_ERR_SESSION_EXPIRED' : 'EDU_ERR_AUTH_REQUIRED'));
    const orgIds = ctx.state.orgs.subtree(user.orgId);
    const isRoot = !ctx.state.orgs.get(user.orgId)?.parentId;
    const rooms = [sessionRoom(found.token)];
    if (can(user.role, 'alerts:read')) rooms.push(...orgIds.map((o) => `alerts:${o}`));
    if (can(user.role, 'collectors:read'))
      rooms.push(...orgIds.map((o) => `collectors:${o}`), ...(isRoot ? [`collectors:${ORGLESS}`] : []));
    socket.data.username = user.username;
    void socket.join(rooms);
    next();
  });

  const onAlert = (event: 'alert:new' | 'alert:updated') => (a: AlertEvent) => {
    const org = a.organization?.id;
    if (org) io.to(`alerts:${org}`).emit(event, withSeverity(a));
  };
  const onNew = onAlert('alert:new');
  const onUpdated = onAlert('alert:updated');
  const onHeartbeat = (hb: HeartbeatEvent) => {
    io.to(`collectors:${hb.organization?.id ?? ORGLESS}`).emit(
      'collector:heartbeat',
      toCollector(hb, ctx.now(), ctx.config.collectorDownAfterSeconds),
    );
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

  app.addHook('preClose', async () => {
    ctx.bus.off('alert', onNew);
    ctx.bus.off('alert-updated', onUpdated);
    ctx.bus.off('heartbeat', onHeartbeat);
    ctx.sessions.off('ended', onEnded);
    io.disconnectSockets(true);
    io.engine.close();
  });
  return io;
}
