/**
 * Dependencies point one way (#14 §2): the analyzer reads events from the store and learns
 * user bindings from their ECS fields, so it neither declares nor loads the collector (whose
 * parsers would otherwise decide what old events mean). Tests may still use the collector to
 * build realistic events, hence devDependencies only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('the analyzer does not depend on the collector', () => {
  it('declares no runtime dependency on @edusentry/collector', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const kind of ['dependencies', 'peerDependencies', 'optionalDependencies'])
      expect(Object.keys(pkg[kind] ?? {})).not.toContain('@edusentry/collector');
  });

  it('imports nothing from the collector in src/', () => {
    const offenders = sources(join(ROOT, 'src')).filter((f) =>
      /from\s+['"](@edusentry\/collector|(\.\.\/)+collector\/)|require\(['"]@edusentry\/collector/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('loads no collector module when its entry point is loaded', () => {
    // A fresh process: the entry point and everything it pulls in, then the loaded files listed.
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `require(${JSON.stringify(join(ROOT, 'src/index.ts'))});` +
          'process.stdout.write(JSON.stringify(Object.keys(require.cache)))',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const loaded = JSON.parse(out) as string[];
    expect(loaded.some((f) => f.includes(`${join(ROOT, 'src')}`))).toBe(true);
    expect(loaded.filter((f) => /[/\\]collector[/\\](src|dist)[/\\]/.test(f))).toEqual([]);
  }, 60_000);
});
