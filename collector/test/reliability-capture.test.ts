/**
 * Reliability from a capture (issue #4): `edusentry collect pcap <capture> --store` is
 * SIGKILLed at several points while the store is up, while it is stopped (the node's JVM
 * frozen with SIGSTOP, so requests hang as with a hung cluster) and while the spool drains
 * after it resumes. Afterwards the store holds exactly the events of the capture — the
 * ids `collect pcap --ndjson` gives for it — none missing, none twice, and the spool is empty.
 *
 * What makes a re-run safe: `collect pcap` keeps no read offset. A killed run is run again
 * and reads the capture from the start; every event id is derived from the capture's path
 * and the event's content, so what the killed run already stored or spooled is written
 * again under the same id, which the store takes as the same event, not a second one.
 *
 * Kills wait for progress (events in the store, or the spool growing), never for a fixed
 * time, and each must find the collector still running: the capture is generated large
 * enough (120k packets) that reading it takes seconds, while a poll takes milliseconds.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openElasticStore, type Dataset, type EventStore } from '@edusentry/core';
import { peekSpool } from '../src/shipper';
import { spawnCli, type CliProcess } from './helpers/cli-process';
import { writeSyntheticCapture } from './helpers/synthetic-capture';
import { opensearchUrl } from './shipper/helpers';
import { startDedicatedNode, type SearchNode } from './shipper/search-node';
import { embeddedWithOutage } from './helpers/embedded-outage';

const PACKETS = 120_000;
const DATASETS: Dataset[] = ['network.flow', 'network.dns', 'network.http'];

interface Variant {
  name: string;
  /** The store section of the collector's configuration. */
  storeYaml: string;
  /** The shipper's retry backoff (base, cap). */
  backoffMs: [number, number];
  /** The store as the test sees it (directly, not through the collector). */
  store: (dir: string) => Promise<EventStore>;
  /** Makes the store unavailable / available again. */
  outage: { begin(): void; end(): void };
  refresh?: (s: EventStore) => Promise<void>;
}

/** Polls `cond` every `everyMs` until it holds; throws after `limitMs` (a bound, not a measurement). */
async function until(cond: () => Promise<boolean> | boolean, what: string, everyMs = 20, limitMs = 120000) {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Bytes in the spool's segment files: grows with every append, cheap to poll. */
function spoolFileBytes(dir: string): number {
  return segments(dir).reduce((n, s) => n + s.size, 0);
}

function segments(dir: string): { seg: number; size: number }[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^\d{12}\.seg$/.test(f))
      .map((f) => ({ seg: Number(f.slice(0, 12)), size: statSync(join(dir, f)).size }))
      .sort((a, b) => a.seg - b.seg);
  } catch {
    return []; // no spool yet, or a segment drained and deleted meanwhile
  }
}

interface SpoolPosition {
  seg: number;
  off: number;
}
const after = (a: SpoolPosition, b: SpoolPosition) => a.seg > b.seg || (a.seg === b.seg && a.off > b.off);

/** Where the spool's next append goes. */
function spoolEnd(dir: string): SpoolPosition {
  const last = segments(dir).pop();
  return last ? { seg: last.seg, off: last.size } : { seg: 0, off: 0 };
}

/** How far the spool has been shipped (its committed read cursor). */
function spoolCursor(dir: string): SpoolPosition {
  try {
    return JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')) as SpoolPosition;
  } catch {
    return { seg: 0, off: 0 };
  }
}

async function run(v: Variant): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `edu-reliability-capture-${v.name}-`));
  const capture = join(dir, 'campus-exit.pcap');
  const dataDir = join(dir, 'data');
  const spoolDir = join(dataDir, 'spool');
  const configFile = join(dir, 'edusentry.yaml');
  writeFileSync(
    configFile,
    `${v.storeYaml}
collector:
  shipper:
    batchSize: 250
    flushIntervalMs: 100
    maxAttempts: 1
    backoffBaseMs: ${v.backoffMs[0]}
    backoffMaxMs: ${v.backoffMs[1]}
    heartbeatIntervalMs: 0
    spool:
      fsync: always
`,
  );
  const cli = (args: string[], stdoutFile?: string) =>
    spawnCli(['--config', configFile, '--data-dir', dataDir, ...args], stdoutFile);
  let storeUp = true;
  let current: CliProcess | undefined;
  const phases: string[] = [];
  let store: EventStore | undefined;

  try {
    const gen = writeSyntheticCapture(capture, { packets: PACKETS });

    // Ground truth: the events of the capture, from the same command without a store.
    const truthFile = join(dir, 'truth.ndjson');
    const truthRun = cli(['collect', 'pcap', capture, '--ndjson'], truthFile);
    expect((await truthRun.exited).code).toBe(0);
    const truthIds = readFileSync(truthFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);
    const expected = [...new Set(truthIds)].sort();
    expect(expected.length).toBe(truthIds.length); // one capture never yields one id twice
    const N = expected.length;
    expect(N).toBeGreaterThan(2000);

    const s = (store = await v.store(dir));
    const count = async () => {
      await v.refresh?.(s);
      return (await s.search({ datasets: DATASETS, size: 0 })).total;
    };
    // A count the node does not answer (busy, or starting its indices) is no progress.
    const countOr = (fallback: number) => count().catch(() => fallback);

    /**
     * Starts a run, waits until `progress` holds, then SIGKILLs it; the kill must find it running.
     * The run is stepped: it works for `everyMs`, is frozen (SIGSTOP) while progress is checked,
     * and thawed if not there yet. A fast run (the embedded store takes a batch in a millisecond)
     * can then never finish between the check that sees the progress and the kill.
     */
    const killWhen = async (what: string, progress: () => Promise<boolean> | boolean, everyMs = 20) => {
      const r = (current = cli(['collect', 'pcap', capture, '--store']));
      const t0 = Date.now();
      await until(
        async () => {
          if (!r.running()) return true;
          r.child.kill('SIGSTOP');
          if (await progress()) return true;
          r.child.kill('SIGCONT');
          return false;
        },
        what,
        everyMs,
      );
      const landed = r.running();
      r.child.kill('SIGKILL');
      const end = await r.exited;
      phases.push(`${what}: SIGKILL after ${Date.now() - t0} ms`);
      expect({ what, landed, signal: end.signal, stderr: landed ? '' : r.stderr() }).toEqual({
        what,
        landed: true,
        signal: 'SIGKILL',
        stderr: '',
      });
    };
    const toCompletion = async (what: string) => {
      const r = (current = cli(['collect', 'pcap', capture, '--store']));
      const t0 = Date.now();
      const end = await r.exited;
      phases.push(`${what}: exit ${end.code} after ${Date.now() - t0} ms`);
      expect({ what, code: end.code, stderr: end.code === 0 ? '' : r.stderr() }).toEqual({ what, code: 0, stderr: '' });
      return r;
    };

    // 1. Store up: killed once a quarter of the events are stored, then (re-reading from
    //    the start) once half are.
    // Short slices: re-reading from the start, a run stores what is new in a few hundred ms.
    await killWhen('store up, 25% stored', async () => (await countOr(0)) >= 0.25 * N, 10);
    await killWhen('store up, 50% stored', async () => (await countOr(0)) >= 0.5 * N, 10);
    expect(await count()).toBeLessThan(N); // the store is still missing events when it stops

    // 2. Store stopped: a run starts anyway and spools; killed as soon as the spool grows.
    //    Then a run to completion with the store still stopped: every event is accepted
    //    into the spool and the run exits 0.
    v.outage.begin();
    storeUp = false;
    const spoolAtOutage = spoolFileBytes(spoolDir);
    await killWhen('store stopped, spooling', () => spoolFileBytes(spoolDir) > spoolAtOutage);
    const endOfKilledRun = spoolEnd(spoolDir);
    const offline = await toCompletion('store stopped, run to completion');
    expect(offline.stderr()).toMatch(/spooled=[1-9]/);
    const spooled = new Set(peekSpool(spoolDir).map((e) => e.event.id));
    expect(expected.filter((id) => !spooled.has(id))).toEqual([]);

    // 3. Store back: a run drains the spool (in order, ahead of its own events) and is
    //    killed once the drain has passed what the killed run spooled and is into what
    //    the completed run spooled (events the store has never seen); a last run completes.
    v.outage.end();
    storeUp = true;
    await killWhen('store back, draining', () => after(spoolCursor(spoolDir), endOfKilledRun));
    expect(await count()).toBeLessThan(N); // the kill landed mid-drain
    expect(peekSpool(spoolDir).length).toBeGreaterThan(0);
    await toCompletion('store back, final run');

    await v.refresh?.(s);
    const res = await s.search({ datasets: DATASETS, size: 10000 });
    expect(res.total).toBeLessThan(10000);
    const storedIds = res.hits.map((h) => h.event.id);
    console.log(
      `reliability from a capture (${v.name}): ${gen.packets} packets, ${gen.flows} flows, ${N} events; ` +
        `store holds ${res.total}, ${new Set(storedIds).size} distinct; spool ${peekSpool(spoolDir).length} left\n  ` +
        phases.join('\n  '),
    );
    expect(res.total).toBe(N);
    expect(storedIds.sort()).toEqual(expected);
    expect(peekSpool(spoolDir)).toEqual([]);
  } finally {
    if (!storeUp) v.outage.end();
    if (current?.running()) current.child.kill('SIGKILL');
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const osAvailable = opensearchUrl() !== undefined;
(osAvailable ? describe : describe.skip)('reliability from a capture with a real OpenSearch node', () => {
  let node: SearchNode;
  beforeAll(() => {
    // A node of its own: this suite freezes it, and must never freeze one another suite uses.
    node = startDedicatedNode({ name: 'capture-reliability', basePort: 9240 });
  }, 240000);
  afterAll(() => node?.stop());

  it('SIGKILLs mid-read and mid-drain, a stopped node: the store holds exactly the capture', async () => {
    const prefix = `edu-relcap-${process.pid}-${Date.now()}`;
    try {
      await run({
        name: 'opensearch',
        storeYaml: `
store:
  kind: elasticsearch
  url: ${node.url}
  indexPrefix: ${prefix}
  requestTimeoutMs: 2000`,
        backoffMs: [50, 500],
        // Initialised as a deployment does once (`edusentry store init`), not by the first write.
        store: async () => {
          const s = await openElasticStore({ url: node.url, indexPrefix: prefix, requestTimeoutMs: 30000 });
          await s.init();
          return s;
        },
        // The node's JVM is frozen: connections open but nothing answers, like a hung cluster.
        outage: { begin: () => process.kill(node.pid, 'SIGSTOP'), end: () => process.kill(node.pid, 'SIGCONT') },
        refresh: (s) => (s as unknown as { refresh(): Promise<void> }).refresh(),
      });
    } finally {
      await fetch(`${node.url}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
    }
  }, 300000);
});

describe('reliability from a capture with the embedded store', () => {
  it('SIGKILLs mid-read and mid-drain, a locked database: the store holds exactly the capture', async () => {
    await run({
      name: 'embedded',
      storeYaml: `
store:
  kind: embedded`,
      // A write against a locked database blocks the process for SQLite's busy timeout (5 s):
      // fewer drain attempts during the outage keep the run short.
      backoffMs: [2000, 10000],
      ...embeddedWithOutage(),
    });
  }, 300000);
});
