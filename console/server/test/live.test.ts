import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeartbeatEvent } from '@edusentry/core';
import { io as connect, type Socket } from 'socket.io-client';
import { alert, docs, harness, T0, type Harness, type Session } from './helpers';

let h: Harness;
let url: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  h = await harness({
    live: true,
    config: {
      rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 },
      live: { pollMs: 100, allowedOrigins: ['https://soc.campus.example'] },
    },
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await h.close();
});

interface Client {
  username: string;
  session: Session;
  socket: Socket;
  got: { event: string; payload: any }[];
}

async function client(username: string, headers: Record<string, string> = {}): Promise<Client> {
  const session = await h.login(username);
  const socket = connect(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { cookie: session.cookie, ...headers },
    reconnection: false,
  });
  sockets.push(socket);
  const c: Client = { username, session, socket, got: [] };
  socket.onAny((event, payload) => c.got.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', () => resolve());
    socket.on('connect_error', reject);
  });
  return c;
}

/** Resolves once every client has received a server broadcast sent after everything before it (per-socket order is kept). */
async function barrier(clients: Client[]): Promise<void> {
  const waits = clients.map((c) => new Promise<void>((resolve) => c.socket.once('test:barrier', () => resolve())));
  h.app.io!.emit('test:barrier');
  await Promise.all(waits);
}

const ALL = [
  'school_officer.s1',
  'school_officer.s2',
  'city_monitor.c1',
  'city_monitor.c2',
  'province_monitor.p1',
  'auditor.s1',
  'sys_admin.p1',
  'sec_admin.p1',
  'audit_admin.p1',
];

describe('socket.io push', () => {
  it('refuses a connection without a valid session', async () => {
    const anon = connect(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: 'edu_session=forged' },
    });
    sockets.push(anon);
    const err = await new Promise<Error>((resolve) => anon.on('connect_error', resolve));
    expect(err.message).toBe('EDU_ERR_AUTH_REQUIRED');
  });

  it('pushes new alerts, alert changes and heartbeats to exactly the users allowed to see them', async () => {
    const clients = await Promise.all(ALL.map((u) => client(u)));
    const by = Object.fromEntries(clients.map((c) => [c.username, c]));
    const s1Alert = alert(0, 's1', { level: 'critical' });
    const s3Alert = alert(1, 's3');
    await h.store.write(docs(s1Alert, s3Alert));
    h.bus.emit('alert', s1Alert);
    h.bus.emit('alert', s3Alert);
    const hb = {
      '@timestamp': new Date(T0).toISOString(),
      event: { id: 'hb1', kind: 'metric', dataset: 'collector.heartbeat' },
      observer: { id: 'col-s2' },
      organization: { id: 's2' },
      edu: { collector: { uptime_s: 1, counters: {} } },
    } as unknown as HeartbeatEvent;
    h.bus.emit('heartbeat', hb);
    await barrier(clients);
    const received = (event: string, pick: (p: any) => string) =>
      Object.fromEntries(
        clients.map((c) => [c.username, c.got.filter((g) => g.event === event).map((g) => pick(g.payload))]),
      );
    expect(received('alert:new', (p) => p.organization.id)).toEqual({
      'school_officer.s1': ['s1'],
      'school_officer.s2': [],
      'city_monitor.c1': ['s1'],
      'city_monitor.c2': ['s3'],
      'province_monitor.p1': ['s1', 's3'],
      'auditor.s1': ['s1'],
      'sys_admin.p1': [],
      'sec_admin.p1': [],
      'audit_admin.p1': [],
    });
    expect(by['school_officer.s1'].got.find((g) => g.event === 'alert:new')!.payload.severity).toBe('critical');
    expect(received('collector:heartbeat', (p) => p.observerId)).toEqual({
      'school_officer.s1': [],
      'school_officer.s2': ['col-s2'],
      'city_monitor.c1': ['col-s2'],
      'city_monitor.c2': [],
      'province_monitor.p1': ['col-s2'],
      'auditor.s1': [],
      'sys_admin.p1': ['col-s2'],
      'sec_admin.p1': ['col-s2'],
      'audit_admin.p1': [],
    });

    // A triage through the API reaches the same people as the alert itself.
    const res = await h.req(by['school_officer.s1'].session, {
      method: 'POST',
      url: `/api/alerts/${s1Alert.event.id}/triage`,
      payload: { action: 'acknowledge' },
    });
    expect(res.statusCode).toBe(200);
    await barrier(clients);
    const updated = received('alert:updated', (p) => `${p.organization.id}:${p.edu.alert.status}`);
    expect(
      Object.entries(updated)
        .filter(([, v]) => v.length)
        .map(([k]) => k)
        .sort(),
    ).toEqual(['auditor.s1', 'city_monitor.c1', 'province_monitor.p1', 'school_officer.s1']);
    expect(updated['city_monitor.c1']).toEqual(['s1:acknowledged']);
  });

  it('pushes the alerts and heartbeats another process wrote to the store, once even when the bus told it too', async () => {
    const c = await client('city_monitor.c1');
    const fromStore = alert(20, 's2', { level: 'high' });
    const both = alert(21, 's1');
    const hb = {
      '@timestamp': new Date(T0).toISOString(),
      event: { id: 'hb-store', kind: 'metric', dataset: 'collector.heartbeat' },
      observer: { id: 'col-other-process' },
      organization: { id: 's2' },
      edu: { collector: { uptime_s: 5, counters: {} } },
    };
    await h.store.write([...docs(fromStore, both), hb as never]);
    h.bus.emit('alert', both);
    const ids = () => c.got.filter((g) => g.event === 'alert:new').map((g) => g.payload.event.id);
    const deadline = Date.now() + 15_000;
    while (!(ids().includes(fromStore.event.id) && c.got.some((g) => g.event === 'collector:heartbeat')))
      if (Date.now() > deadline) throw new Error(`not pushed from the store: ${JSON.stringify(c.got)}`);
      else await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // several more polls of the store
    expect(ids().sort()).toEqual([fromStore.event.id, both.event.id].sort());
    expect(c.got.filter((g) => g.event === 'collector:heartbeat').map((g) => g.payload.observerId)).toEqual([
      'col-other-process',
    ]);
    // The cursor is the console's own, in its state database: a restart resumes there.
    const row = h.app.ctx.state.db.prepare("SELECT value FROM meta WHERE key = 'live_cursor'").get() as
      { value: string } | undefined;
    expect(JSON.parse(row!.value).kind).toBe(h.store.kind);
  });

  it("accepts only the console's own origin and the configured ones", async () => {
    const { port } = h.app.server.address() as AddressInfo;
    // node:http, not fetch: fetch may not set Host.
    const handshake = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) =>
        get(`${url}/socket.io/?EIO=4&transport=polling`, { headers }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject),
      );
    expect(await handshake({ origin: url })).toBe(200);
    expect(await handshake({})).toBe(200);
    expect(await handshake({ origin: 'https://soc.campus.example' })).toBe(200);
    expect(await handshake({ origin: `http://localhost:${port}` })).toBe(403);
    expect(await handshake({ origin: 'null' })).toBe(403);
    // Served as console.campus.example: a page on a sibling subdomain may not open the socket.
    const own = `console.campus.example:${port}`;
    expect(await handshake({ host: own, origin: `http://${own}` })).toBe(200);
    expect(await handshake({ host: own, origin: `http://evil.campus.example:${port}` })).toBe(403);
    expect(await handshake({ host: own, origin: `http://${own}.evil.example` })).toBe(403);

    // A WebSocket from a foreign page is refused even with a valid session cookie.
    await expect(client('school_officer.s1', { origin: 'http://evil.campus.example' })).rejects.toThrow();
    const ok = await client('school_officer.s1', { origin: url });
    expect(ok.socket.connected).toBe(true);
  });

  it('closes the sockets of a session that logs out', async () => {
    const c = await client('school_officer.s3');
    const ended = new Promise<any>((resolve) => c.socket.on('session:ended', resolve));
    const gone = new Promise<void>((resolve) => c.socket.on('disconnect', () => resolve()));
    await h.req(c.session, { method: 'POST', url: '/api/auth/logout' });
    expect(await ended).toEqual({ reason: 'logout' });
    await gone;
    expect(c.socket.connected).toBe(false);
  });
});
