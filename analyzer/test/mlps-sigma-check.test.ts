/** `edusentry sigma check` names a djbh tag that no 等保 catalogue item has, and fails on it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const check = (dir: string) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'cli/src/main.ts'), 'sigma', 'check', dir, '--json', '--log-level', 'error'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
const rule = (title: string, tag: string) =>
  `title: ${title}\ntags: [attack.t1046, ${tag}]\nlogsource: { category: webserver }\ndetection:\n  sel: { cs-uri-stem|startswith: /admin }\n  condition: sel\n`;

describe('sigma check and clause tags', () => {
  jest.setTimeout(60_000);
  it('passes known clause tags and reports an unknown one with file, rule and tag; exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-djbh-'));
    writeFileSync(join(dir, 'ok.yml'), rule('known', 'djbh.l3.8.1.3.3.a'));
    const ok = check(dir);
    expect(JSON.parse(ok.stdout)).toMatchObject({ active: 1, rejected: 0, unknownClauseTags: [] });
    expect(ok.status).toBe(0);
    writeFileSync(join(dir, 'typo.yml'), rule('typo', 'djbh.l3.8.1.3.33.a'));
    const bad = check(dir);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).unknownClauseTags).toEqual([
      { file: join(dir, 'typo.yml'), line: 1, title: 'typo', tag: 'djbh.l3.8.1.3.33.a' },
    ]);
  });
});
