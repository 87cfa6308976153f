/** Shared by the tests that start real peers (softflowd, pmacctd, rsyslogd, logger) on loopback. */
import { execFileSync, type ChildProcess } from 'node:child_process';

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

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
