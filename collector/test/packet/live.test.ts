/**
 * Live capture end to end: a veth pair inside a network namespace made by the test,
 * tcpreplay sending a capture into one end, `edusentry collect live` on the other.
 * Packet and flow counts must equal those from reading the same file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { missingCommands, requires } from '@edusentry/core/testing';
import { byDataset, readEvents, SV } from './helpers';

const ROOT = resolve(__dirname, '../../..');
const NS = `edu-live-${process.pid}`;

function available(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: the live-capture test needs to create a network namespace';
  return missingCommands('ip', 'tcpreplay');
}

const ns = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...args], { stdio: 'pipe' });

/** The namespace with a veth pair va <-> vb; returns why not when it cannot be made here. */
function setUp(): string | undefined {
  const missing = available();
  if (missing) return missing;
  try {
    execFileSync('ip', ['netns', 'add', NS], { stdio: 'pipe' });
    ns('ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
    // No IPv6 chatter (router solicitations, MLD) on the pair: only replayed packets are seen.
    ns('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1');
    ns('sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1');
    for (const i of ['va', 'vb']) {
      ns('ip', 'link', 'set', i, 'mtu', '9000');
      ns('ip', 'link', 'set', i, 'up');
    }
    return undefined;
  } catch (err) {
    tearDown();
    return `cannot create a network namespace with a veth pair here: ${(err as Error).message.split('\n')[0]}`;
  }
}

function tearDown(): void {
  try {
    execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
  } catch {
    // Not created.
  }
}

const run = requires(setUp()).test;

/** `edusentry collect live -i vb` inside the namespace; resolves once it is capturing. */
async function startCollector(...extra: string[]) {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      NS,
      join(ROOT, 'node_modules/.bin/tsx'),
      join(ROOT, 'cli/src/main.ts'),
      'collect',
      'live',
      '-i',
      'vb',
      '--ndjson',
      '--log-level',
      'silent',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  const ready = new Promise<void>((res, rej) => {
    child.stderr.on('data', (d) => {
      out.stderr += d;
      if (out.stderr.includes('capturing on vb')) res();
    });
    child.on('exit', () => rej(new Error(`collector exited early: ${out.stderr}`)));
  });
  const done = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  await ready;
  /** SIGINT after a settle time; the exit code. */
  const stop = async () => {
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    return done;
  };
  return { out, stop };
}

/** The drop counters of the summary's "drops:" line. */
function drops(stderr: string): Record<string, number> {
  const line = /^drops: +(.*)$/m.exec(stderr)?.[1] ?? '';
  return Object.fromEntries(line.split(' ').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]));
}

describe('collect live', () => {
  afterAll(() => tearDown());

  run.each([['bug-5633-gre-02/gre-sample.pcap'], ['community-id-ipv4/input.pcap']])(
    '%s: replayed packets and flows equal reading the file',
    async (rel) => {
      const file = join(SV, rel);
      const fromFile = await readEvents(file);
      const { out, stop } = await startCollector();
      ns('tcpreplay', '-q', '-i', 'va', '--pps', '1000', file);
      expect(await stop()).toBe(0);
      const { stdout, stderr } = out;
      const events = stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const packets = Number(/packets: +(\d+)/.exec(stderr)?.[1]);
      expect(packets).toBe(fromFile.reader.packets);
      expect(stderr).toMatch(/drops: +truncated_snaplen=0/);
      // libpcap's statistics are read (pcap_stats through the patched cap binding): nothing dropped at 1000 pps.
      const d = drops(stderr);
      expect(d.kernel).toBe(0);
      expect(Number.isInteger(d.interface)).toBe(true);
      const flows = byDataset(events, 'network.flow');
      expect(flows.length).toBe(byDataset(fromFile.events, 'network.flow').length);
      const key = (e: any) =>
        `${e.network.community_id} ${e.source.packets} ${e.destination.packets} ${e.source.bytes} ${e.destination.bytes}`;
      expect(flows.map(key).sort()).toEqual(byDataset(fromFile.events, 'network.flow').map(key).sort());
      // The application events are the same too (times differ: live uses arrival time).
      const apps = (es: any[]) =>
        es
          .filter((e) => e.event.dataset !== 'network.flow')
          .map((e) => `${e.event.dataset} ${e.network.community_id}`)
          .sort();
      expect(apps(events)).toEqual(apps(fromFile.events));
      for (const e of events) expect(e.observer.ingress.interface.name).toBe('vb');
    },
    60_000,
  );

  run(
    'a 1 MiB buffer under a full-speed replay: the kernel drops are counted and add up',
    async () => {
      const file = join(SV, 'community-id-ipv4/input.pcap');
      const loops = 5000;
      const sent = loops * (await readEvents(file)).reader.packets;
      const { out, stop } = await startCollector('--buffer-size', '1');
      ns('tcpreplay', '-q', '-i', 'va', '--topspeed', '--loop', String(loops), file);
      expect(await stop()).toBe(0);
      const packets = Number(/packets: +(\d+)/.exec(out.stderr)?.[1]);
      const d = drops(out.stderr);
      // Far more packets than the ring holds, faster than one core decodes them: some are dropped.
      expect(d.kernel).toBeGreaterThan(0);
      // What the collector saw and what the kernel dropped account for every packet sent.
      expect(packets + d.kernel).toBe(sent);
    },
    60_000,
  );
});
