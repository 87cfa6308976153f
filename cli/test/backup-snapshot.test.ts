/**
 * backup create/verify/restore on a search-engine store: the events go into a snapshot in the
 * node's path.repo, and restore puts them back as new indices beside the live ones.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '@edusentry/core';
import { runCli } from './run-cli';

const url = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;

describe('edusentry backup on OpenSearch', () => {
  if (!url) {
    if (process.env.CI)
      it('has an OpenSearch node in CI', () => expect('EDUSENTRY_TEST_OPENSEARCH_URL set').toBe('set'));
    else it.skip('set EDUSENTRY_TEST_OPENSEARCH_URL to run it', () => undefined);
    return;
  }
  jest.setTimeout(180_000);
  const prefix = `edutest-bk-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  afterAll(async () => {
    await fetch(`${url}/${prefix}-*`, { method: 'DELETE' });
  });

  it('snapshots the events, verifies the snapshot on the engine and restores it as new indices', async () => {
    const settings = (await (await fetch(`${url}/_nodes/settings?filter_path=nodes.*.settings.path.repo`)).json()) as {
      nodes?: object;
    };
    if (!settings.nodes && !process.env.CI)
      return console.warn(`${url} has no path.repo: restart the node to run this`);
    const dataDir = mkdtempSync(join(tmpdir(), 'edusentry-bk-os-'));
    const cfg = join(dataDir, 'edusentry.yaml');
    writeFileSync(cfg, `store:\n  kind: elasticsearch\n  url: ${url}\n  indexPrefix: ${prefix}\n`);
    const env = { EDUSENTRY_CONFIG: cfg, EDUSENTRY_DATA_DIR: dataDir };
    const events = join(dataDir, 'events.ndjson');
    const now = Date.now();
    writeFileSync(
      events,
      Array.from(
        { length: 5 },
        (_, i) =>
          `<34>1 ${new Date(now - i * 1000).toISOString()} fw1 sshd - - - Failed password for root from 198.51.100.${i} port 22 ssh2`,
      ).join('\n') + '\n',
    );
    expect(runCli(['store', 'init'], env).code).toBe(0);
    const collected = runCli(['collect', 'file', events, '--store'], env);
    expect(collected.code).toBe(0);
    await fetch(`${url}/${prefix}-*/_refresh`, { method: 'POST' });
    const count = async (p: string) =>
      ((await (await fetch(`${url}/${p}-*/_count`)).json()) as { count: number }).count;
    const before = await count(prefix);
    expect(before).toBeGreaterThan(0);

    const created = runCli(['backup', 'create'], env);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const path = created.stdout.trim().split('\n').pop()!;
    const m = readManifest(path);
    expect(m.store).toMatchObject({
      kind: 'elasticsearch',
      included: true,
      snapshot: { repository: 'edusentry', indexPrefix: prefix },
    });
    expect(m.store.snapshot!.indices.length).toBeGreaterThan(0);
    expect(runCli(['backup', 'verify', path], env).code).toBe(0);

    const fresh = join(mkdtempSync(join(tmpdir(), 'edusentry-bk-os-')), 'data');
    const restored = runCli(['backup', 'restore', path, '--data-dir', fresh], env);
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
    const target = restored.stdout.match(/restored as (\S+)-\*/)![1];
    expect(target.startsWith(`${prefix}-restored-`)).toBe(true);
    await fetch(`${url}/${target}-*/_refresh`, { method: 'POST' });
    expect(await count(target)).toBe(before);

    // A snapshot deleted on the engine fails verify.
    await fetch(`${url}/_snapshot/edusentry/${m.store.snapshot!.name}`, { method: 'DELETE' });
    const v = runCli(['backup', 'verify', path], env);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain(`snapshot ${m.store.snapshot!.name}`);
  });
});
