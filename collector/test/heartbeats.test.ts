/**
 * Every long-running collector with --store writes `collector.heartbeat` events every
 * heartbeatIntervalMs (#14 §1): `collect listen`, `collect file --follow` and `collect live`,
 * each as its own process on the embedded store, each heartbeat with the collector's version,
 * host, uptime, spool depth, its path's own counters (receiver, file, capture) and their rates.
 */
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore, type HeartbeatEvent } from '@edusentry/core';
import { requires } from '@edusentry/core/testing';
import { spawnCli, type CliProcess } from './helpers/cli-process';

const VERSION = require('../package.json').version as string;

function setUp(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `edu-heartbeat-${name}-`));
  const configFile = join(dir, 'edusentry.yaml');
  writeFileSync(
    configFile,
    `store:
  kind: embedded
observer:
  id: hb-${name}
  name: heartbeat ${name}
collector:
  shipper:
    flushIntervalMs: 50
    heartbeatIntervalMs: 300
`,
  );
  const dataDir = join(dir, 'data');
  return { dir, cli: (args: string[]) => spawnCli(['--config', configFile, '--data-dir', dataDir, ...args]), dataDir };
}

/** Waits for stderr to match, or fails with what the process said. */
async function waitFor(p: CliProcess, re: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = p.stderr().match(re);
    if (m) return m;
    if (!p.running() || Date.now() > until) throw new Error(`no ${re} from the collector: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Heartbeats in the store (read beside the running collector), once `ok` holds for the latest. */
async function heartbeats(
  dataDir: string,
  p: CliProcess,
  ok: (latest: HeartbeatEvent) => boolean,
): Promise<HeartbeatEvent[]> {
  const until = Date.now() + 30_000;
  for (;;) {
    const store = new EmbeddedStore({ path: dataDir });
    try {
      const r = await store.search<HeartbeatEvent>({
        datasets: ['collector.heartbeat'],
        sort: [{ field: '@timestamp', order: 'desc' }],
        size: 100,
      });
      if (r.hits.length >= 2 && ok(r.hits[0])) return r.hits;
    } finally {
      await store.close();
    }
    if (!p.running() || Date.now() > until) throw new Error(`heartbeats not seen: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectHealth(hbs: HeartbeatEvent[], observer: string): HeartbeatEvent {
  const latest = hbs[0];
  expect(latest.observer).toMatchObject({ id: observer, type: 'collector', hostname: hostname() });
  expect(latest.event).toMatchObject({ dataset: 'collector.heartbeat', kind: 'metric' });
  const c = latest.edu.collector;
  expect(c.version).toBe(VERSION);
  expect(typeof c.uptime_s).toBe('number');
  expect(typeof c.spool_bytes).toBe('number');
  expect(typeof c.drops).toBe('number');
  expect(c.counters.heartbeats).toBeGreaterThanOrEqual(1);
  // Every interval, not once: distinct ids, times ascending.
  expect(new Set(hbs.map((h) => h.event.id)).size).toBe(hbs.length);
  return latest;
}

async function stop(p: CliProcess): Promise<void> {
  p.child.kill('SIGTERM');
  const end = await p.exited;
  expect(end.code).toBe(0);
}

describe('long-running collectors write heartbeats to the store', () => {
  it('collect listen: receiver counters and rates', async () => {
    const { cli, dataDir } = setUp('listen');
    const p = cli(['collect', 'listen', '--syslog-udp', '0', '--host', '127.0.0.1', '--store']);
    try {
      const port = Number((await waitFor(p, /listening: syslog-udp on 127\.0\.0\.1:(\d+)/))[1]);
      const sock = createSocket('udp4');
      for (let i = 0; i < 5; i++)
        await new Promise<void>((r) =>
          sock.send(`<13>Jan  1 00:00:0${i} gw app: line ${i}`, port, '127.0.0.1', () => r()),
        );
      sock.close();
      const received = (h: HeartbeatEvent) => h.edu.collector.counters['syslog-udp.received'] ?? -1;
      const hbs = await heartbeats(dataDir, p, (h) => received(h) >= 5);
      const latest = expectHealth(hbs, 'hb-listen');
      expect(received(latest)).toBe(5);
      // The rate of a counter that grew is reported on the heartbeat after it grew.
      expect(hbs.some((h) => (h.edu.collector.rates?.['syslog-udp.received'] ?? 0) > 0)).toBe(true);
    } finally {
      await stop(p);
    }
  }, 60_000);

  it('collect file --follow: line counters, as the file grows', async () => {
    const { dir, cli, dataDir } = setUp('file');
    const log = join(dir, 'gw.log');
    writeFileSync(log, 'portal: action=login user=t01 ip=10.70.1.6\n');
    const p = cli(['collect', 'file', log, '--follow', '--store']);
    try {
      await heartbeats(dataDir, p, (h) => h.edu.collector.counters['file.lines'] === 1);
      appendFileSync(log, 'portal: action=logout user=t01 ip=10.70.1.6\n');
      const hbs = await heartbeats(dataDir, p, (h) => h.edu.collector.counters['file.lines'] === 2);
      expect(expectHealth(hbs, 'hb-file').edu.collector.counters['file.events']).toBe(2);
    } finally {
      await stop(p);
    }
  }, 60_000);

  requires(process.getuid?.() === 0 ? undefined : 'not root: live capture on lo needs CAP_NET_RAW').test(
    'collect live: capture counters',
    async () => {
      const { cli, dataDir } = setUp('live');
      // A filter nothing on lo matches: the heartbeat is about the capture, not the traffic.
      const p = cli(['collect', 'live', '-i', 'lo', '--bpf', 'udp port 9', '--store']);
      try {
        await waitFor(p, /capturing on lo/);
        const hbs = await heartbeats(dataDir, p, (h) => 'packets' in h.edu.collector.counters);
        const latest = expectHealth(hbs, 'hb-live');
        expect(latest.edu.collector.counters.packets).toBe(0);
        expect(Object.keys(latest.edu.collector.counters).some((k) => /drop/i.test(k))).toBe(true);
      } finally {
        await stop(p);
      }
    },
    60_000,
  );
});
