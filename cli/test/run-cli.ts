/** Runs the real `edusentry` CLI in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export function runCli(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'src', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, EDUSENTRY_LOG_LEVEL: 'error', ...env },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
