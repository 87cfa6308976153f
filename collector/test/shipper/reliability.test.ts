/**
 * Reliability (issue #4): a known number of syslog events goes over TCP to the
 * collector child process (`edusentry collect listen --syslog-tcp PORT --store`) while
 * it is killed with SIGKILL several times and the store is stopped (SIGSTOP) for part
 * of the run. Afterwards the store holds exactly the events sent: none missing, none
 * duplicated.
 *
 * What the design guarantees, and what it does not: TCP syslog has no application
 * acknowledgement, so lines in the kernel's buffers or in the collector's memory when
 * it is killed are lost by the collector. An event is *accepted* once it reached the
 * spool or the store; accepted events survive SIGKILL and store outages. A sender that
 * wants no loss must resend what was not accepted, as a real one with a disk queue
 * does after a reconnect. The sender here does that: after each reconnect it resends
 * from the first line it cannot find in the spool (read with peekSpool, without
 * touching it) or the store. It never resends an accepted line, so a spool that lost
 * events across a SIGKILL, or failed to drain in order, leaves a hole this test sees.
 * Resends of lines the collector did accept are harmless: event ids are derived from
 * the sender and the raw line. That is also why every line here is distinct: two
 * identical raw lines from one sender are one event by design.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openElasticStore, type EventStore } from '@edusentry/core';
import { peekSpool } from '../../src/shipper';
import { runToExit, startListen, waitFor } from '../logs/peer-helpers';
import { opensearchUrl } from './helpers';
import { startDedicatedNode, type SearchNode } from './search-node';
import { embeddedWithOutage } from '../helpers/embedded-outage';

const N = 1500;
const LINES = Array.from(
  { length: N },
  (_, i) =>
    `<134>1 2026-03-01T08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z ` +
    `gw-1 portal 4242 login - reliability line ${i} user=s${i % 97} ip=10.20.${i % 250}.${i % 199}`,
);
const indexOf = (message: unknown) => Number(/reliability line (\d+)/.exec(String(message))?.[1] ?? -1);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The test's sender: newline-framed lines over TCP, one connection at a time. */
class Sender {
  private sock?: Socket;
  private closedP: Promise<void> = Promise.resolve();
  /** Lines [0, sent) have been written to some connection. */
  sent = 0;

  async connect(port: number): Promise<void> {
    const sock = connect(port, '127.0.0.1');
    sock.on('error', () => undefined); // EPIPE/ECONNRESET when the collector is killed
    this.closedP = new Promise((r) => sock.once('close', () => r()));
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('close', () => reject(new Error('connection closed before it opened')));
    });
    this.sock = sock;
  }

  /** Writes lines [from, to) (a resend when from < sent), honouring backpressure. */
  async send(from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      if (!this.sock || this.sock.destroyed) return;
      if (!this.sock.write(LINES[i] + '\n')) await new Promise((r) => this.sock!.once('drain', r));
      this.sent = Math.max(this.sent, i + 1);
    }
  }

  closed(): Promise<void> {
    return this.closedP;
  }

  async end(): Promise<void> {
    this.sock?.end();
    await this.closed();
  }
}

interface Variant {
  name: string;
  config: (dir: string) => string;
  /** The store as the test sees it (directly, not through the collector). */
  store: (dir: string) => Promise<EventStore>;
  /** Makes the store unavailable / available again. */
  outage: { begin(): void; end(): void };
  refresh?: (s: EventStore) => Promise<void>;
}

async function storedLines(store: EventStore, refresh?: (s: EventStore) => Promise<void>): Promise<number[]> {
  await refresh?.(store);
  const res = await store.search({ datasets: ['syslog'], size: 10000 });
  expect(res.total).toBeLessThanOrEqual(10000);
  return res.hits.map((h) => indexOf(h.message));
}

async function run(v: Variant): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `edu-reliability-${v.name}-`));
  const dataDir = join(dir, 'data');
  const spoolDir = join(dataDir, 'spool');
  const configFile = join(dir, 'edusentry.yaml');
  writeFileSync(configFile, v.config(dir));
  const port = await freePort();
  const sender = new Sender();
  const confirmed = new Set<number>(); // lines seen in the store
  let storeUp = true;
  let collector: { child: ChildProcess; stderr: () => string } | undefined;
  const kills = { collector: 0, outages: 0, resent: 0, acceptedFromSpool: 0 };
  const store = await v.store(dir);

  /** First line not found in the spool or (when it answers) the store. */
  const acceptedPrefix = async (): Promise<number> => {
    const seen = new Set(confirmed);
    const spooled = spooledLines();
    for (const i of spooled) seen.add(i);
    // Right after SIGCONT the node may answer 503 for a moment: then only the spool counts.
    const inStore = storeUp ? await storedLines(store, v.refresh).catch(() => []) : [];
    for (const i of inStore) {
      confirmed.add(i);
      seen.add(i);
    }
    let p = 0;
    while (seen.has(p)) p++;
    // Lines the sender will not resend because only the spool of a killed collector holds them.
    kills.acceptedFromSpool += spooled.filter((i) => i < p && !confirmed.has(i)).length;
    return p;
  };
  const spooledLines = () =>
    peekSpool(spoolDir)
      .filter((e) => e.event?.dataset === 'syslog')
      .map((e) => indexOf(e.message));

  const start = async () => {
    collector = await startListen(['--syslog-tcp', String(port), '--store'], dataDir, join(dir, 'stdout.log'), [
      '--config',
      configFile,
    ]);
    await sender.connect(port);
    const from = await acceptedPrefix();
    kills.resent += sender.sent - from;
    await sender.send(from, sender.sent);
  };
  const crash = async () => {
    // Let part of what was sent be accepted first (while the store is down that means
    // spooled, after the write timed out), then kill.
    if (storeUp) await new Promise((r) => setTimeout(r, 400));
    else {
      const before = spooledLines().length;
      await waitFor(() => spooledLines().length > before, 30000, 'new events in the spool');
    }
    const exited = runToExit(collector!.child, 10000);
    collector!.child.kill('SIGKILL');
    await exited;
    await sender.closed();
    kills.collector++;
  };

  try {
    await start();
    await sender.send(0, 300);
    await crash();
    await start();
    await sender.send(sender.sent, 600);

    v.outage.begin();
    storeUp = false;
    kills.outages++;
    await sender.send(sender.sent, 800);
    await crash();
    await start(); // the store is down: the collector starts anyway and spools
    await sender.send(sender.sent, 1000);
    await crash();
    await start();
    await sender.send(sender.sent, 1200);
    v.outage.end();
    storeUp = true;

    await sender.send(sender.sent, N);
    await crash(); // while the spool drains
    await start();
    await sender.end();
    await waitFor(
      async () => (await storedLines(store, v.refresh).catch(() => [])).length >= N,
      120000,
      `${N} events in the store`,
    );
    const exited = runToExit(collector!.child, 30000);
    collector!.child.kill('SIGTERM');
    await exited;

    const stored = await storedLines(store, v.refresh);
    const total = (await store.search({ datasets: ['syslog'], size: 0 })).total;
    console.log(
      `reliability (${v.name}): ${N} lines sent, ${kills.collector} SIGKILLs, ${kills.outages} store outage, ` +
        `${kills.resent} lines resent after reconnects, ${kills.acceptedFromSpool} taken as accepted from the spool ` +
        `of a killed collector; store holds ${total} events, ${new Set(stored).size} distinct; ` +
        `last collector: ${collector!.stderr().trim().split('\n').pop()}`,
    );
    expect(kills.acceptedFromSpool).toBeGreaterThan(0); // the spool, not a resend, carried those
    expect(total).toBe(N);
    expect([...stored].sort((a, b) => a - b)).toEqual(LINES.map((_, i) => i));
    expect(peekSpool(spoolDir)).toEqual([]);
  } finally {
    if (!storeUp) v.outage.end();
    if (collector && collector.child.exitCode === null && collector.child.signalCode === null)
      collector.child.kill('SIGKILL');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const shipperYaml = `
collector:
  shipper:
    batchSize: 100
    flushIntervalMs: 100
    maxAttempts: 1
    backoffBaseMs: 50
    backoffMaxMs: 500
    heartbeatIntervalMs: 0
    spool:
      fsync: always
`;

const osAvailable = opensearchUrl() !== undefined;
(osAvailable ? describe : describe.skip)('reliability with a real OpenSearch node', () => {
  let node: SearchNode;
  beforeAll(() => {
    node = startDedicatedNode();
  }, 240000);
  afterAll(() => node?.stop());

  it('SIGKILLs and a stopped node: the store holds exactly the events sent', async () => {
    const prefix = `edu-rel-${process.pid}-${Date.now()}`;
    try {
      await run({
        name: 'opensearch',
        config: () => `
store:
  kind: elasticsearch
  url: ${node.url}
  indexPrefix: ${prefix}
  requestTimeoutMs: 1500
${shipperYaml}`,
        store: () => openElasticStore({ url: node.url, indexPrefix: prefix, requestTimeoutMs: 30000 }),
        // The node's JVM is frozen: connections open but nothing answers, like a hung cluster.
        outage: { begin: () => process.kill(node.pid, 'SIGSTOP'), end: () => process.kill(node.pid, 'SIGCONT') },
        refresh: (s) => (s as unknown as { refresh(): Promise<void> }).refresh(),
      });
    } finally {
      await fetch(`${node.url}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
    }
  }, 300000);
});

describe('reliability with the embedded store', () => {
  it('SIGKILLs and a locked database: the store holds exactly the events sent', async () => {
    await run({
      name: 'embedded',
      config: () => `
store:
  kind: embedded
${shipperYaml}`,
      ...embeddedWithOutage(),
    });
  }, 300000);
});
