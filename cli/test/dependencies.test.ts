/**
 * Dependencies point one way (#14 §2): the product does not pull in the benchmarks (which bring
 * playwright-core, socket.io-client and pcap-parser). `edusentry start` takes its demo province and
 * traffic from @edusentry/sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('the cli does not depend on the benchmarks', () => {
  it('declares no dependency on @edusentry/bench, and the sample package instead', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const kind of ['dependencies', 'peerDependencies', 'optionalDependencies'])
      expect(Object.keys(pkg[kind] ?? {})).not.toContain('@edusentry/bench');
    expect(Object.keys(pkg.dependencies)).toContain('@edusentry/sample');
  });

  it('imports nothing from bench/ in src/', () => {
    const offenders = sources(join(ROOT, 'src')).filter((f) =>
      /from\s+['"](@edusentry\/bench|(\.\.\/)+bench\/)|require\(['"]@edusentry\/bench/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
