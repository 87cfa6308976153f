/** What benchmarks need to run a peer (or our own CLI) as a child process and measure it fairly. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Node's arguments in the root package.json's `edusentry` script, so a bench runs the CLI the way users do. */
export const CLI = (require(join(ROOT, 'package.json')) as { scripts: Record<string, string> }).scripts.edusentry
  .split(' ')
  .slice(1)
  .map((a) => (a.startsWith('./') || a.endsWith('.ts') ? join(ROOT, a) : a));

/**
 * `edusentry collect listen <flags> --ndjson` (NDJSON to nowhere): waits until it listens, runs
 * `feed`, lets it drain what was sent, stops it, and returns the CPU seconds it spent from
 * listening on and the counters it reports at exit.
 */
export async function measureListen(
  dataDir: string,
  flags: string[],
  feed: () => void,
  drainLimitMs = 60_000,
): Promise<{ cpu: number; counters: Record<string, number> }> {
  const child = spawn(
    process.execPath,
    [...CLI, '--data-dir', dataDir, 'collect', 'listen', '--host', '127.0.0.1', ...flags, '--ndjson'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EDUSENTRY_LOG_LEVEL: 'error' } },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await settle(() => (/listening/.test(err) ? 1 : 0), 60_000);
  const cpu0 = cpuSeconds(child.pid!);
  feed();
  // The listener reports its counters at exit; let it drain the socket buffer first.
  await settle(() => Math.round(cpuSeconds(child.pid!) * 100), drainLimitMs);
  const cpu = cpuSeconds(child.pid!) - cpu0;
  await stopChild(child);
  return { cpu, counters: JSON.parse(err.trim().split('\n').pop()!).counters as Record<string, number> };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const cols = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const tick = 100; // USER_HZ on Linux
  return (Number(cols[11]) + Number(cols[12])) / tick;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Waits until `count()` stops moving for a second (or the limit passes), and returns it. */
export async function settle(count: () => number, limitMs = 60_000): Promise<number> {
  let last = -1;
  let still = 0;
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const n = count();
    if (n === last && n > 0) {
      if (++still >= 10) return n;
    } else still = 0;
    last = n;
    await new Promise((r) => setTimeout(r, 100));
  }
  return count();
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill(signal);
  });
}

export function countLines(file: string): number {
  const b = readFileSync(file);
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return n;
}
