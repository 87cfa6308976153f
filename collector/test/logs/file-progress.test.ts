/** `collect file`'s progress: followFiles reports how far into each file it has read, ending at its size. */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followFiles } from '../../src/logs';

it('reports bytes read per file after each chunk, growing to the size of each file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edu-progress-'));
  const big = join(dir, 'big.log');
  const small = join(dir, 'small.log');
  writeFileSync(big, 'x'.repeat(99) + '\n'.repeat(1) + ('y'.repeat(99) + '\n').repeat(30_000)); // ~3 MB: several 1 MiB chunks
  writeFileSync(small, 'one line\n');
  const seen: [string, number, number][] = [];
  let lines = 0;
  await followFiles([big, small], {
    follow: false,
    onLines: async (batch) => void (lines += batch.length),
    onProgress: (path, offset, size) => seen.push([path, offset, size]),
  });
  expect(lines).toBe(30_001 + 1);
  const of = (p: string) => seen.filter(([path]) => path === p);
  expect(of(big).length).toBeGreaterThanOrEqual(3);
  const offsets = of(big).map(([, o]) => o);
  expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  expect(of(big).at(-1)).toEqual([big, statSync(big).size, statSync(big).size]);
  expect(of(small)).toEqual([[small, 9, 9]]);
});
