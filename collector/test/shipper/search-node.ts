/**
 * A dedicated OpenSearch node for tests that stop the store (SIGSTOP/SIGCONT): its own
 * run directory and port, so the shared node other suites use is never disturbed.
 * Started with the project's deploy/opensearch/node.sh; stopped only if we started it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

export interface SearchNode {
  url: string;
  pid: number;
  stop(): void;
}

/**
 * `own` gives a suite a node of its own (run directory and base port), so two suites
 * that freeze their node (SIGSTOP) never freeze each other's when jest runs them side by side.
 */
export function startDedicatedNode(own?: { name: string; basePort: number }): SearchNode {
  const runDir = own
    ? join(tmpdir(), `edusentry-${own.name}-opensearch`)
    : (process.env.EDUSENTRY_TEST_DEDICATED_NODE_DIR ?? join(tmpdir(), 'edusentry-dedicated-opensearch'));
  const env = {
    ...process.env,
    EDUSENTRY_NODE_RUN_DIR: runDir,
    EDUSENTRY_OPENSEARCH_BASE_PORT: own
      ? String(own.basePort)
      : (process.env.EDUSENTRY_TEST_DEDICATED_NODE_PORT ?? '9210'),
    EDUSENTRY_NODE_HEAP: process.env.EDUSENTRY_NODE_HEAP ?? '512m',
  };
  const script = join(ROOT, 'deploy/opensearch/node.sh');
  const out = execFileSync('bash', [script, 'start'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const reused = /already running/.test(out);
  return {
    url: readFileSync(join(runDir, 'url'), 'utf8').trim(),
    pid: Number(readFileSync(join(runDir, 'pid'), 'utf8').trim()),
    stop: () => {
      if (!reused) execFileSync('bash', [script, 'stop'], { env, stdio: 'ignore' });
    },
  };
}
