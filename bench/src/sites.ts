/**
 * `pnpm bench sites [--sites N] [--blackbox]`: the key-site monitor's cost. N sites are virtual
 * sites of one fixture server (a child process, so its CPU is not ours) on loopback, with a fixture
 * DNS server there too; a ~25 KB school home page with links, images, scripts and one dark link.
 *
 *  1. every check on (http, tls-less http site, dns through the fixture resolver, content with its
 *     baseline, dark links, sensitive content, offsite/stale) on N sites twice (the first run
 *     records baselines, the second compares): CPU per site run, checks/s, and the projection of
 *     10 000 sites every 60 s as a share of one core (goal ≤ 25%);
 *  2. the http check alone on the same pages by address, probes per CPU-second, beside
 *     Prometheus blackbox_exporter's http_2xx module probing the same URLs (GOMAXPROCS=1; built
 *     with `go install` into bench/.cache/go on first use; its CPU read from /proc).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS, defaultSitesConfig, Scheduler, SiteMonitor, type Site } from '@edusentry/sites';
import { cpuSeconds, freePort, stopChild } from './peer-process';

const CACHE = join(__dirname, '../.cache/go');

/** The fixture web and DNS, in a child process: prints "ready <httpPort> <dnsPort>". */
const FIXTURE = String.raw`
const http = require('node:http'); const dgram = require('node:dgram');
const items = Array.from({ length: 40 }, (_, i) => '<li><a href="/news/' + i + '.html">学校新闻第' + i + '条：教学工作会议召开 2026-11-' + (i % 28 + 1) + '</a></li>').join('');
const page = (i) => '<!doctype html><html><head><title>第' + i + '中学</title><style>.nav a{color:#333}.hide{display:none}</style>' +
  '<script src="/js/jquery.js"></script><script src="/js/app.js"></script></head><body><div class="nav"><a href="/">首页</a><a href="/about">学校概况</a><a href="/news">新闻</a></div>' +
  '<h1>第' + i + '中学欢迎您</h1>' + '<img src="/img/1.jpg"><img src="/img/2.jpg"><img src="/img/3.jpg">' + '<ul>' + items + '</ul>' +
  '<p>' + '本校坚持立德树人，全面推进素质教育。'.repeat(60) + '</p>' +
  '<div class="hide"><a href="http://bet' + i + '.example/">博彩</a></div>' +
  '<div class="footer">版权所有 联系电话 0531-8888' + String(i).padStart(4, '0') + '</div></body></html>';
const srv = http.createServer((req, res) => {
  const m = /^\/s\/(\d+)\//.exec(req.url) || [null, (req.headers.host || '').replace(/^site-(\d+)\..*/, '$1')];
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page(m[1]));
});
srv.keepAliveTimeout = 1000;
const dns = dgram.createSocket('udp4');
dns.on('message', (msg, r) => {
  let i = 12; while (msg[i] !== 0) i += msg[i] + 1; const end = i + 1; const qtype = msg.readUInt16BE(end);
  const head = Buffer.alloc(12); msg.copy(head, 0, 0, 2); head.writeUInt16BE(0x8180, 2); head.writeUInt16BE(1, 4);
  const a = qtype === 1; head.writeUInt16BE(a ? 1 : 0, 6);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  dns.send(Buffer.concat([head, msg.subarray(12, end + 4), ...(a ? [rr] : [])]), r.port, r.address);
});
srv.listen(0, '127.0.0.1', () => dns.bind(0, '127.0.0.1', () => console.log('ready ' + srv.address().port + ' ' + dns.address().port)));
`;

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

async function startFixture(): Promise<{ child: ChildProcess; httpPort: number; dnsPort: number }> {
  const child = spawn(process.execPath, ['-e', FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d))));
  const [, httpPort, dnsPort] = line.trim().split(' ').map(Number);
  return { child, httpPort, dnsPort };
}

const site = (i: number, url: string): Site => ({
  id: `bench-${i}`,
  orgId: 'school-bench',
  name: `第${i}中学`,
  url,
  keyPages: [],
  owner: '',
  intervalSec: 60,
  expectedDns: [],
  ownCidrs: ['127.0.0.0/8'],
  ownDomains: [],
  enabled: true,
});

/** Every site once through the scheduler; returns CPU seconds and wall seconds of this process. */
async function runAll(
  monitor: SiteMonitor,
  sites: Site[],
  concurrency: number,
): Promise<{ cpu: number; wall: number; events: number }> {
  let events = 0;
  const config = defaultSitesConfig({
    scheduler: { concurrency, perHost: 1_000_000, batchSize: 5000, flushMs: 60_000, maxBackoffSec: 3600 },
  });
  const s = new Scheduler({
    monitor,
    config,
    sites: () => sites,
    noJitter: true,
    write: async (e) => void (events += e.length),
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  s.start();
  await s.drain();
  await s.stop();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000, events };
}

function blackboxBinary(): string | undefined {
  const bin = join(CACHE, 'bin', 'blackbox_exporter');
  if (existsSync(bin)) return bin;
  try {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('go', ['install', 'github.com/prometheus/blackbox_exporter@latest'], {
      stdio: 'ignore',
      env: {
        ...process.env,
        GOPATH: CACHE,
        GOBIN: join(CACHE, 'bin'),
        GOCACHE: join(CACHE, 'build'),
        GOFLAGS: '-modcacherw',
      },
    });
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

async function blackbox(
  urls: string[],
  dir: string,
  concurrency: number,
): Promise<{ probes: number; cpu: number; ok: number } | string> {
  const bin = blackboxBinary();
  if (!bin) return 'could not be built with go install (see bench/.cache/go)';
  const port = await freePort();
  const cfg = join(dir, 'blackbox.yml');
  writeFileSync(
    cfg,
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n',
  );
  const child = spawn(bin, [`--config.file=${cfg}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GOMAXPROCS: '1' },
  });
  for (let i = 0; i < 100; i++) {
    if (
      await get(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu0 = cpuSeconds(child.pid!);
  let ok = 0;
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const u = urls[next++];
      const body = await new Promise<string>((resolve, reject) => {
        request(
          `http://127.0.0.1:${port}/probe?module=http_2xx&target=${encodeURIComponent(u)}`,
          { agent: false },
          (res) => {
            let b = '';
            res.on('data', (d) => (b += d));
            res.on('end', () => resolve(b));
          },
        )
          .on('error', reject)
          .end();
      });
      if (/^probe_success 1/m.test(body)) ok++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = cpuSeconds(child.pid!) - cpu0;
  await stopChild(child);
  return { probes: urls.length, cpu, ok };
}

export async function run(args: string[]): Promise<void> {
  const n = arg(args, '--sites', 1000);
  const concurrency = arg(args, '--concurrency', 32);
  const dir = mkdtempSync(join(tmpdir(), 'bench-sites-'));
  const fx = await startFixture();
  try {
    const monitor = new SiteMonitor({
      config: defaultSitesConfig({ resolvers: [`127.0.0.1:${fx.dnsPort}`], retries: 0, timeoutMs: 10_000 }),
      dataDir: dir,
      observer: { id: 'bench' },
    });
    const named = Array.from({ length: n }, (_, i) => site(i, `http://site-${i}.bench:${fx.httpPort}/`));
    const first = await runAll(monitor, named, concurrency);
    const second = await runAll(monitor, named, concurrency);
    const checksPerRun = CHECKS.length - 1; // tls is skipped on http sites
    const perSite = second.cpu / n;
    const share = (perSite * 10_000) / 60;
    console.log(
      `site monitor, ${n} sites, every check (${CHECKS.map((c) => c.name).join(', ')}), concurrency ${concurrency}`,
    );
    console.log(`  first run (records baselines): ${first.cpu.toFixed(2)} CPU-s, ${first.wall.toFixed(2)} s wall`);
    console.log(
      `  second run (compares):         ${second.cpu.toFixed(2)} CPU-s, ${second.wall.toFixed(2)} s wall, ${second.events} results`,
    );
    console.log(
      `  CPU per site run: ${(perSite * 1000).toFixed(2)} ms (${((perSite / checksPerRun) * 1000).toFixed(2)} ms per check)`,
    );
    console.log(`  checks/s per CPU-second: ${((n * checksPerRun) / second.cpu).toFixed(0)}`);
    console.log(
      `  10 000 sites every 60 s: ${(share * 100).toFixed(1)}% of one core (goal ≤ 25%: ${share <= 0.25 ? 'met' : 'NOT met'})`,
    );

    const httpOnly = new SiteMonitor({
      config: defaultSitesConfig({ retries: 0, timeoutMs: 10_000 }),
      dataDir: join(dir, 'http'),
      observer: { id: 'bench' },
      checks: CHECKS.filter((c) => c.name === 'http'),
    });
    const byAddress = Array.from({ length: n }, (_, i) => site(i, `http://127.0.0.1:${fx.httpPort}/s/${i}/`));
    const ours = await runAll(httpOnly, byAddress, concurrency);
    const oursRate = n / ours.cpu;
    console.log(`http check alone on ${n} URLs: ${ours.cpu.toFixed(2)} CPU-s, ${oursRate.toFixed(0)} probes/CPU-s`);
    const bb = await blackbox(
      byAddress.map((s) => s.url),
      dir,
      concurrency,
    );
    if (typeof bb === 'string') console.log(`blackbox_exporter: ${bb}`);
    else {
      const rate = bb.probes / bb.cpu;
      console.log(
        `blackbox_exporter http_2xx (GOMAXPROCS=1): ${bb.cpu.toFixed(2)} CPU-s, ${rate.toFixed(0)} probes/CPU-s, ${bb.ok}/${bb.probes} succeeded`,
      );
      console.log(`  ratio ours / blackbox_exporter: ${(oursRate / rate).toFixed(2)}x (goal ≥ 1x)`);
    }
  } finally {
    await stopChild(fx.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
