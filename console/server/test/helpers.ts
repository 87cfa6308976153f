/**
 * A console over a real store, a sample tree, one user per role and org, and fixtures.
 * The store is the embedded one in a temp dir, or — in the `opensearch` jest project
 * (jest.config.js) — the real OpenSearch node at EDUSENTRY_TEST_OPENSEARCH_URL, under
 * an index prefix of its own and refreshing on every write, so the same suites assert
 * the same answers from both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmbeddedStore,
  EventBus,
  eventId,
  openElasticStore,
  type ElasticStore,
  type AlertEvent,
  type EcsEvent,
  type EventStore,
  type OrgNode,
} from '@edusentry/core';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import argon2 from 'argon2';
import { build, type BuildOptions, type Role } from '../src';

export const PASSWORD = 'Correct-Horse-9';
export const T0 = Date.parse('2025-03-03T08:00:00.000Z');

export const ORGS: OrgNode[] = [
  { id: 'p1', name: '示范省', level: 'province', parentId: null, cidrs: [] },
  { id: 'c1', name: '一市', level: 'city', parentId: 'p1', cidrs: [] },
  { id: 'c2', name: '二市', level: 'city', parentId: 'p1', cidrs: [] },
  { id: 's1', name: '一中', level: 'school', parentId: 'c1', cidrs: ['10.1.0.0/16'] },
  { id: 's2', name: '二中', level: 'school', parentId: 'c1', cidrs: ['10.2.0.0/16'] },
  { id: 's3', name: '三中', level: 'school', parentId: 'c2', cidrs: ['10.3.0.0/16'] },
  { id: 'p2', name: '邻省', level: 'province', parentId: null, cidrs: [] },
  { id: 'c9', name: '九市', level: 'city', parentId: 'p2', cidrs: [] },
  { id: 's9', name: '九中', level: 'school', parentId: 'c9', cidrs: ['10.9.0.0/16'] },
];
export const SCHOOLS = ['s1', 's2', 's3'];

export interface Harness {
  app: FastifyInstance;
  /** The app's store; what tests write through it is searchable by the next request. */
  store: EventStore;
  bus: EventBus;
  dir: string;
  clock: { now: number };
  /** Logs in and returns what later requests need. */
  login(username: string, password?: string): Promise<Session>;
  req(s: Session | null, opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface Session {
  cookie: string;
  csrf: string;
  username: string;
}

/** Usernames: `<role>@<org>`, e.g. school_officer@s1. */
export function userName(role: Role, org: string): string {
  return `${role}.${org}`;
}

const USERS: [Role, string][] = [
  ['school_officer', 's1'],
  ['school_officer', 's2'],
  ['school_officer', 's3'],
  ['city_monitor', 'c1'],
  ['city_monitor', 'c2'],
  ['province_monitor', 'p1'],
  ['auditor', 's1'],
  ['auditor', 'p1'],
  ['sys_admin', 'p1'],
  ['sys_admin', 'c2'],
  ['sec_admin', 'p1'],
  ['sec_admin', 's1'],
  ['audit_admin', 'p1'],
  ['audit_admin', 'c1'],
  ['school_officer', 's9'],
];

let sharedHash: Promise<string> | undefined;

/** Which store the suites run on: set per jest project (jest.config.js). */
export const STORE_KIND: 'embedded' | 'opensearch' =
  process.env.EDU_CONSOLE_TEST_STORE === 'opensearch' ? 'opensearch' : 'embedded';
/** Unique per test run, so runs against the same node never see each other's indices. */
const RUN = `educonsole-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let stores = 0;

/**
 * The store the app runs on, and the view of it the tests write fixtures through. On
 * OpenSearch the app's store does not refresh on write, as in production (so the
 * server must cope with near-real-time search itself); fixtures are refreshed after
 * writing so the next request sees them.
 */
async function openTestStore(dir: string): Promise<{ store: EventStore; fixtures: EventStore; drop(): Promise<void> }> {
  if (STORE_KIND === 'embedded') {
    const store = new EmbeddedStore({ path: join(dir, 'events.db') });
    await store.init();
    return { store, fixtures: store, drop: () => store.close() };
  }
  const url = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
  if (!url) throw new Error('EDUSENTRY_TEST_OPENSEARCH_URL is not set: start deploy/opensearch/node.sh');
  const store: ElasticStore = await openElasticStore({
    url,
    indexPrefix: `${RUN}-${++stores}`,
    tailLagMs: 0,
    requestTimeoutMs: 20_000,
  });
  await store.init();
  const fixtures = new Proxy(store, {
    get(target, prop) {
      if (prop === 'write')
        return async (events: EcsEvent[]) => {
          const r = await target.write(events);
          await target.refresh();
          return r;
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    store,
    fixtures,
    async drop() {
      await store.destroy();
      await store.close();
    },
  };
}

export async function harness(opts: Partial<BuildOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-console-'));
  const { store, fixtures, drop } = await openTestStore(dir);
  const bus = new EventBus();
  const clock = { now: T0 };
  const app = await build({
    store,
    bus,
    statePath: join(dir, 'console.db'),
    now: () => clock.now,
    config: { rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 } },
    live: false,
    ...opts,
  });
  const { state } = app.ctx;
  state.orgs.seed(ORGS);
  // A cheap argon2id hash for fixture users keeps logins fast; the server's own hashes use the library defaults.
  const hash = await (sharedHash ??= argon2.hash(PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 4096,
    timeCost: 2,
    parallelism: 1,
  }));
  for (const [role, org] of USERS)
    state.users.create({ username: userName(role, org), role, orgId: org, passwordHash: hash });
  await app.ready();

  const h: Harness = {
    app,
    store: fixtures,
    bus,
    dir,
    clock,
    async login(username, password = PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'edu_session')!;
      return { cookie: `edu_session=${cookie.value}`, csrf: res.json().csrfToken, username };
    },
    req(s, o) {
      const headers: Record<string, string> = { ...(o.headers as Record<string, string>) };
      if (s) {
        headers.cookie = s.cookie;
        headers['x-csrf-token'] = s.csrf;
      }
      return app.inject({ ...o, headers });
    },
    async close() {
      await app.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** An alert document as the analyzer writes it. */
export function alert(
  n: number,
  orgId: string,
  over: Partial<{
    level: string;
    status: AlertEvent['edu']['alert']['status'];
    at: number;
    src: string;
    dst: string;
    tactic: string;
    rule: string;
    events: string[];
    user: string;
    /** The campus end (edu.alert.asset); default the destination, as for an inbound attack. */
    asset: string;
  }> = {},
): AlertEvent {
  const at = new Date(over.at ?? T0 - 60_000 * (n + 1)).toISOString();
  const school = Number(orgId.replace(/\D/g, '')) || 9;
  const src = over.src ?? `203.0.113.${n % 250}`;
  const dst = over.dst ?? `10.${school}.0.${(n % 200) + 1}`;
  const asset = over.asset ?? dst;
  const doc: AlertEvent = {
    '@timestamp': at,
    event: { id: '', kind: 'alert', dataset: 'alert', severity: 73 },
    organization: { id: orgId, name: orgId },
    source: { ip: src },
    destination: { ip: dst },
    rule: {
      id: over.rule ?? `rule-${n % 3}`,
      name: `Rule ${n % 3}`,
      author: 'EduSentry',
      license: 'DRL-1.1',
      level: over.level ?? 'high',
      description: 'test rule',
    },
    threat: { framework: 'MITRE ATT&CK', tactic: { id: ['TA0001'], name: [over.tactic ?? 'Initial Access'] } },
    edu: {
      alert: { status: over.status ?? 'new', events: over.events ?? [], asset, remote: asset === dst ? src : dst },
    },
    ...(over.user ? { user: { name: over.user } } : {}),
  };
  doc.event.id = eventId('test-alert', `${orgId}:${n}:${at}`);
  return doc;
}

/** A plain HTTP event in a school. */
export function httpEvent(n: number, orgId: string, at = T0 - 1000 * (n + 1)): EcsEvent {
  const school = Number(orgId.replace(/\D/g, '')) || 9;
  const e: EcsEvent = {
    '@timestamp': new Date(at).toISOString(),
    event: {
      id: eventId('test-http', `${orgId}:${n}:${at}`),
      kind: 'event',
      dataset: 'network.http',
      category: ['web'],
    },
    organization: { id: orgId },
    source: { ip: `10.${school}.1.${(n % 200) + 1}`, port: 40000 + n },
    destination: { ip: '198.51.100.7', port: 80 },
    url: { original: `/x?q=${orgId}-${n}` },
    user_agent: { original: `agent-${orgId}` },
    user: { name: `student-${orgId}-${n % 3}` },
  };
  return e;
}

/** Alerts and events are both documents to the store. */
export function docs(...xs: (AlertEvent | EcsEvent)[]): EcsEvent[] {
  return xs as unknown as EcsEvent[];
}

export async function getAlert(store: EventStore, id: string): Promise<AlertEvent> {
  return (await store.get(id)) as unknown as AlertEvent;
}
