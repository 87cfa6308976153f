/** Shared by the tests that start real peers (softflowd, pmacctd, rsyslogd, logger) on loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** Waits for a child to exit (killing it after `limitMs`), with its stdout and stderr. */
export function runToExit(child: ChildProcess, limitMs: number): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Polls `cond` until it holds; throws with `what` after `limitMs` (a bound, not a measurement). */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  limitMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `edusentry collect listen …` as a child process; resolves with the port it reports. */
export async function startListen(
  args: string[],
  dataDir: string,
  stdoutFile: string,
  globalArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const out = openSync(stdoutFile, 'a');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/src/main.ts',
      '--data-dir',
      dataDir,
      ...globalArgs,
      'collect',
      'listen',
      '--host',
      '127.0.0.1',
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', out, 'pipe'], env: { ...process.env, EDUSENTRY_LOG_LEVEL: 'warn' } },
  );
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await waitFor(() => /listening: \S+ on [^\n]*:\d+/.test(err) || child.exitCode !== null, 60000, 'collect listen');
  const m = err.match(/listening: \S+ on [^\n]*:(\d+)/);
  if (!m) throw new Error(`collect listen did not start:\n${err}`);
  return { child, port: Number(m[1]), stderr: () => err };
}
