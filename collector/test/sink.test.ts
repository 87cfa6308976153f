/**
 * NdjsonSink.push encodes each line straight into a reused scratch buffer: the bytes
 * written must be exactly JSON.stringify of each event plus a newline, as UTF-8, for
 * non-ASCII text (two-byte strings, astral characters, escaped lone surrogates),
 * batches that outgrow the scratch buffer, and batches whose chunks the stream keeps
 * after write() returned (the scratch must not be overwritten under them).
 */
import { PassThrough } from 'node:stream';
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
