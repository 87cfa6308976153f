import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

const tmp = () => mkdtempSync(join(tmpdir(), 'edusentry-cli-'));

describe('edusentry CLI', () => {
  it('prints help for every command', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/start/);
    expect(r.stdout).toMatch(/store/);
    const s = runCli(['store', 'query', '--help']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/--filter <field=value\.\.\.>/);
    expect(s.stdout).toMatch(/--data-dir <dir>/);
  });

  it('rejects an unknown config key with its path and line, in one line, exit 1', () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'store:\n  kind: embedded\n  retentionDayz: 30\n');
    const r = runCli(['store', 'stats', '--config', cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${cfg}:3: store.retentionDayz: unknown key`);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('rejects an ill-typed config value naming the key', () => {
    const dir = tmp();
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'organization:\n  id: 42\n');
    const r = runCli(['store', 'stats', '--config', cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('organization.id: Expected string, received number');
  });

  it('reports a corrupt embedded store with the path and what to do', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'events.db'),
      'this is not a database, just text that is long enough to be read as a header page.'.repeat(100),
    );
    const r = runCli(['store', 'stats', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'events.db'));
    expect(r.stderr).toMatch(/move it aside/);
    expect(r.stderr).toContain('EDU_ERR_STORE_CORRUPT');
  });

  it('names the URL when the store is unreachable', () => {
    const r = runCli(['store', 'stats', '--store', 'elasticsearch', '--store-url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('http://127.0.0.1:1');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('store init applies the retention setting', () => {
    const env = { EDUSENTRY_DATA_DIR: tmp() };
    expect(runCli(['store', 'init', '--retention-days', '200'], env).stdout).toMatch(/retention 200 days/);
    const stats = runCli(['store', 'stats', '--json'], env);
    expect(JSON.parse(stats.stdout)).toMatchObject({ kind: 'embedded', total: 0, retentionDays: 200 });
    expect(runCli(['store', 'init', '--retention-days', 'x'], env).stderr).toContain(
      '--retention-days must be a positive integer',
    );
  });

  it('query validates its options', () => {
    const r = runCli(['store', 'query', '--dataset', 'nope', '--data-dir', tmp()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--dataset "nope" is not a known dataset');
  });
});
