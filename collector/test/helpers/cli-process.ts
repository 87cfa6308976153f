/** `edusentry …` as a child process, for tests that kill, stop and restart the collector. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process ended, by exit code or by signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** No exit seen yet. */
  running(): boolean;
  stderr(): string;
}

/**
 * Runs `edusentry <args>` as `pnpm edusentry` does (node with the swc require hook) from
 * the repository root. stdout goes to `stdoutFile` (or nowhere), stderr is kept. Logs at
 * warn unless the caller's environment says otherwise.
 */
export function spawnCli(args: string[], stdoutFile?: string): CliProcess {
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const child = spawn(process.execPath, ['--require', './cli/register.js', 'cli/src/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, EDUSENTRY_LOG_LEVEL: process.env.EDUSENTRY_LOG_LEVEL ?? 'warn' },
  });
  if (typeof out === 'number') closeSync(out); // the child holds its own copy
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  // 'close', not 'exit': by then stderr has been read to its end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return { child, exited, running, stderr: () => err };
}
