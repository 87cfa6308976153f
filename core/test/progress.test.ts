import { openElasticStore } from '../src';
import { ProgressBar, progressLine } from '../src/progress';
import { requires } from '../src/testing';

/** A stream that records what is written, a terminal or not. */
const stream = (isTTY: boolean) => {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => writes.push(s) };
};

describe('progress bar', () => {
  it('draws label, a 30-cell bar, the percentage and the detail', () => {
    expect(progressLine('big.log', 42, 100, '1200 lines')).toBe(
      `big.log [${'#'.repeat(13)}${' '.repeat(17)}]  42%  1200 lines`,
    );
    expect(progressLine('x', 0, 10)).toBe(`x [${' '.repeat(30)}]   0%`);
    expect(progressLine('x', 15, 10)).toBe(`x [${'#'.repeat(30)}] 100%`);
    // Without a total (a hunt on a cluster before the first answer) only the label and detail.
    expect(progressLine('hunt', 5, undefined, '5 events')).toBe('hunt  5 events');
    expect(progressLine('hunt', 5, 0)).toBe('hunt');
  });

  it('redraws in place on a terminal, at most every interval, always when complete, and clears', () => {
    const out = stream(true);
    let t = 1000;
    const bar = new ProgressBar(out, 200, () => t);
    bar.update('f', 1, 4);
    t += 50;
    bar.update('f', 2, 4); // within the interval: not drawn
    t += 200;
    bar.update('f', 3, 4);
    t += 1;
    bar.update('f', 4, 4); // complete: drawn at once
    bar.clear();
    expect(out.writes).toEqual([
      `\r\x1b[K${progressLine('f', 1, 4)}`,
      `\r\x1b[K${progressLine('f', 3, 4)}`,
      `\r\x1b[K${progressLine('f', 4, 4)}`,
      '\r\x1b[K',
    ]);
  });

  it('writes nothing when the output is not a terminal', () => {
    const out = stream(false);
    const bar = new ProgressBar(out, 0);
    bar.update('f', 1, 2, 'detail');
    bar.update('f', 2, 2);
    bar.clear();
    expect(out.writes).toEqual([]);
  });
});

const url = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
requires(url ? undefined : 'EDUSENTRY_TEST_OPENSEARCH_URL is not set').describe('store init on a cluster', () => {
  it('reports each step, ending at the total, for the progress bar', async () => {
    const store = await openElasticStore({
      url: url!,
      indexPrefix: `edu-progress-${process.pid}-${Date.now().toString(36)}`,
    });
    const seen: [number, number, string][] = [];
    try {
      await store.init({ retentionDays: 7, onProgress: (done, total, step) => seen.push([done, total, step]) });
    } finally {
      await store.destroy();
      await store.close();
    }
    const total = seen[0][1];
    expect(seen.map(([d]) => d)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(seen.every(([, t]) => t === total)).toBe(true);
    expect(seen.map(([, , s]) => s)).toEqual(
      expect.arrayContaining(['ingest pipeline', 'retention policy', 'quarantine index']),
    );
    expect(seen.at(-1)?.[2]).toBe('retention prune');
  }, 60_000); // a real node creating templates and indices: seconds under load, not jest's 5 s default
});
