/**
 * cli/src/config.ts composes each package's config section through the packages'
 * light `./config` exports: loading it must not load the packages' whole index
 * (analyzer, console server, collector), which every command would pay for at start-up.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

it('loads the config schema without the analyzer, console server or collector packages', () => {
  const script = `require('./cli/src/config'); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['--require', './cli/register.js', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(0);
  const loaded = (JSON.parse(r.stdout) as string[]).map((f) => f.split(/[\\/]/).join('/'));
  expect(loaded.some((f) => f.endsWith('/analyzer/src/config.ts'))).toBe(true);
  expect(loaded.some((f) => f.endsWith('/console/server/src/config.ts'))).toBe(true);
  expect(loaded.some((f) => f.endsWith('/collector/src/config.ts'))).toBe(true);
  for (const index of ['/analyzer/src/index.ts', '/console/server/src/index.ts', '/collector/src/index.ts'])
    expect(loaded.filter((f) => f.endsWith(index))).toEqual([]);
});
