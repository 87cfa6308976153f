/** Every EDU_ERR_* code thrown anywhere in the product is in a catalogue, with a status and a line of documentation. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ERRORS } from '@edusentry/console-server';

const root = join(__dirname, '..', '..');
const SOURCES = ['core/src', 'cli/src', 'collector/src', 'analyzer/src', 'console/server/src'];

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

describe('error catalogue', () => {
  const used = new Map<string, string>();
  for (const dir of SOURCES) {
    for (const file of tsFiles(join(root, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/EDU_ERR_[A-Z_]+/g))
        used.set(m[0], file.slice(root.length + 1));
    }
  }

  it('finds the codes the product throws', () => {
    expect(used.size).toBeGreaterThan(10);
  });

  it.each([...used.keys()].sort())('%s is catalogued with a status and documentation', (code) => {
    const entry = ALL_ERRORS[code];
    if (!entry) throw new Error(`${code} (used in ${used.get(code)}) is in no error catalogue`);
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.doc.length).toBeGreaterThan(10);
  });
});
