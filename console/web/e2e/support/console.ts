/** The real console server, in process, on an embedded store in a temp dir, serving console/web/dist. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  createLogger,
  EmbeddedStore,
  EventBus,
  type AlertEvent,
  type EcsEvent,
  type EventStore,
} from '@edusentry/core';
import { build, hashPassword } from '@edusentry/console-server';
import { ORGS, PASSWORD, USERS, sampleData, type Seed } from './seed';

export interface RunningConsole {
  url: string;
  app: Awaited<ReturnType<typeof build>>;
  store: EventStore;
  bus: EventBus;
  seed: Seed;
  /** Stores an alert and announces it on the bus, as the analyzer does. */
  pushAlert(alert: AlertEvent): Promise<void>;
  close(): Promise<void>;
}

export async function startConsole(
  opts: { port?: number; host?: string; logLevel?: string } = {},
): Promise<RunningConsole> {
  const dir = mkdtempSync(join(tmpdir(), 'edu-web-e2e-'));
  const store = new EmbeddedStore({ path: join(dir, 'events.db') });
  await store.init();
  const bus = new EventBus();
  const app = await build({
    store,
    bus,
    statePath: join(dir, 'console.db'),
    log: createLogger('console', opts.logLevel ?? process.env.EDUSENTRY_LOG_LEVEL ?? 'warn'),
    config: {
      webDist: resolve(__dirname, '..', '..', 'dist'),
      rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 1000 },
    },
  });
  const { state } = app.ctx;
  state.orgs.seed(ORGS);
  const hash = await hashPassword(PASSWORD);
  for (const u of USERS) state.users.create({ ...u, passwordHash: hash });
  const seed = sampleData(Date.now());
  await store.write([
    ...seed.events,
    ...(seed.alerts as unknown as EcsEvent[]),
    ...(seed.heartbeats as unknown as EcsEvent[]),
  ]);
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    store,
    bus,
    seed,
    async pushAlert(alert) {
      await store.write([alert as unknown as EcsEvent]);
      bus.emit('alert', alert);
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
