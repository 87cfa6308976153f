/**
 * NdjsonSink.push encodes each line straight into a reused scratch buffer: the bytes
 * written must be exactly JSON.stringify of each event plus a newline, as UTF-8, for
 * non-ASCII text (two-byte strings, astral characters, escaped lone surrogates),
 * batches that outgrow the scratch buffer, and batches whose chunks the stream keeps
 * after write() returned (a batch buffer must not be reused under them), with and
 * without buffer reuse.
 */
import { PassThrough, Writable } from 'node:stream';
import type { EcsEvent } from '@edusentry/core';
import { NdjsonSink } from '../src/sink';

function collect(): { out: PassThrough; chunks: Buffer[] } {
  const out = new PassThrough({ highWaterMark: 1 << 30 });
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, chunks };
}

const event = (i: number, text: string) =>
  ({
    '@timestamp': '2026-03-01T00:00:00.000Z',
    event: { id: `id-${i}`, kind: 'event', dataset: 'syslog' },
    message: text,
    organization: { id: 'school-demo', name: '演示学校' },
  }) as unknown as EcsEvent;

test('writes exactly one JSON.stringify line per event, as UTF-8, in order', async () => {
  const { out, chunks } = collect();
  const sink = new NdjsonSink(out);
  const texts = [
    'plain ascii',
    '校园出口 "quoted" \\ back',
    'emoji 🎓 and \u00e9',
    'lone \ud800 surrogate',
    'nl\nand\ttab',
  ];
  const first = texts.map((t, i) => event(i, t));
  // Lines far larger than the scratch buffer, in one batch, so it grows mid-batch.
  const second = Array.from({ length: 40 }, (_, i) => event(100 + i, '学'.repeat(20_000 + i) + 'x'.repeat(i)));
  await sink.push(first);
  await sink.push(second);
  await sink.push([]);
  out.end();
  const want = [...first, ...second].map((e) => JSON.stringify(e) + '\n').join('');
  expect(Buffer.concat(chunks).equals(Buffer.from(want, 'utf8'))).toBe(true);
  expect(sink.counters()).toEqual({ written: first.length + second.length });
});

test('a chunk the stream still holds is not overwritten by the next batch', async () => {
  const out = new PassThrough({ highWaterMark: 1 << 30 }); // nothing reads: every chunk stays buffered
  const sink = new NdjsonSink(out);
  await sink.push([event(1, 'first batch 第一')]);
  await sink.push([event(2, 'second batch, longer than the first one 第二')]);
  const held = [out.read() as Buffer].map((b) => b.toString('utf8')).join('');
  expect(held).toBe(
    JSON.stringify(event(1, 'first batch 第一')) +
      '\n' +
      JSON.stringify(event(2, 'second batch, longer than the first one 第二')) +
      '\n',
  );
});

test('with buffer reuse, a buffer is written over only after the stream is done with it', async () => {
  // A slow stream: it looks at each chunk only later (as a pipe would send it), then calls back.
  const seen: Buffer[] = [];
  const out = new Writable({
    highWaterMark: 1 << 30,
    write(chunk: Buffer, _enc, done) {
      setImmediate(() => {
        seen.push(Buffer.from(chunk));
        done();
      });
    },
  });
  const sink = new NdjsonSink(out, true);
  const batches = Array.from({ length: 12 }, (_, b) =>
    Array.from({ length: 50 }, (_, i) => event(b * 100 + i, `batch ${b} 行 ${i} ${'x'.repeat((b * 37 + i) % 500)}`)),
  );
  // Several batches in flight at once, then more after the first ones were written.
  await Promise.all(batches.slice(0, 6).map((b) => sink.push(b)));
  await new Promise((r) => setTimeout(r, 20));
  for (const b of batches.slice(6)) await sink.push(b);
  await new Promise<void>((r) => out.end(r));
  const want = batches.flat().map((e) => JSON.stringify(e) + '\n');
  expect(Buffer.concat(seen).toString('utf8')).toBe(want.join(''));
});
