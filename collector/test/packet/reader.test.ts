import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureReader, readCaptureFile } from '../../src/packet';
import { FIXTURES, SV, tshark } from './helpers';

interface Rec {
  link: number;
  ts: number;
  len: number;
  orig: number;
  first: number;
}

function collect(buf: Buffer, chunk = buf.length): { recs: Rec[]; reader: CaptureReader } {
  const recs: Rec[] = [];
  const reader = new CaptureReader((link, ts, b, off, len, orig) => recs.push({ link, ts, len, orig, first: b[off] }));
  // Feed in chunks the way readCaptureFile does, carrying the unconsumed tail.
  let pending = Buffer.alloc(0);
  for (let i = 0; i < buf.length; i += chunk) {
    pending = Buffer.concat([pending, buf.subarray(i, i + chunk)]);
    const used = reader.feed(pending);
    pending = pending.subarray(used);
  }
  reader.finish(pending.length);
  return { recs, reader };
}

/** Rewrites a little-endian classic pcap as big-endian, record by record. */
function toBigEndian(le: Buffer): Buffer {
  const be = Buffer.from(le);
  be.writeUInt32BE(le.readUInt32LE(0), 0);
  be.writeUInt16BE(le.readUInt16LE(4), 4);
  be.writeUInt16BE(le.readUInt16LE(6), 6);
  for (const o of [8, 12, 16, 20]) be.writeUInt32BE(le.readUInt32LE(o), o);
  for (let o = 24; o + 16 <= le.length;) {
    for (let i = 0; i < 16; i += 4) be.writeUInt32BE(le.readUInt32LE(o + i), o + i);
    o += 16 + le.readUInt32LE(o + 8);
  }
  return be;
}

const ipv4 = join(SV, 'community-id-ipv4/input.pcap');

describe('capture reader', () => {
  test('classic pcap: packet count, lengths and microsecond timestamps agree with tshark', () => {
    const { recs, reader } = collect(readFileSync(ipv4));
    const ts = tshark(ipv4, ['frame.time_epoch', 'frame.cap_len', 'frame.len']);
    expect(recs.length).toBe(ts.length);
    recs.forEach((r, i) => {
      expect(r.ts).toBeCloseTo(Number(ts[i][0]) * 1000, 3);
      expect(r.len).toBe(Number(ts[i][1]));
      expect(r.orig).toBe(Number(ts[i][2]));
      expect(r.link).toBe(1);
    });
    expect(reader.format).toBe('pcap');
    expect(reader.errors).toEqual({});
  });

  test('big-endian, nanosecond and pcapng variants give the same packets', () => {
    const base = collect(readFileSync(ipv4)).recs;
    const be = collect(toBigEndian(readFileSync(ipv4))).recs;
    const ns = collect(readFileSync(join(FIXTURES, 'nsec.pcap'))).recs;
    const ng = collect(readFileSync(join(FIXTURES, 'nsec.pcapng')));
    expect(ng.reader.format).toBe('pcapng');
    for (const other of [be, ns, ng.recs]) {
      expect(other.length).toBe(base.length);
      other.forEach((r, i) => {
        expect(r.len).toBe(base[i].len);
        expect(r.first).toBe(base[i].first);
        expect(r.ts).toBeCloseTo(base[i].ts, 3);
      });
    }
  });

  test('pcapng with two interfaces keeps each interface link type and timestamps', () => {
    const file = join(FIXTURES, 'multi-iface.pcapng');
    const { recs } = collect(readFileSync(file), 777);
    const ts = tshark(file, ['frame.interface_id', 'frame.time_epoch', 'frame.cap_len']);
    expect(recs.length).toBe(ts.length);
    const links = new Set(recs.map((r) => r.link));
    expect(links).toEqual(new Set([1, 276]));
    recs.forEach((r, i) => {
      expect(r.link).toBe(ts[i][0] === '0' ? 276 : 1);
      expect(r.ts).toBeCloseTo(Number(ts[i][1]) * 1000, 3);
      expect(r.len).toBe(Number(ts[i][2]));
    });
  });

  test('small chunks give the same result as one buffer', () => {
    const buf = readFileSync(join(FIXTURES, 'multi-iface.pcapng'));
    expect(collect(buf, 97).recs).toEqual(collect(buf).recs);
    const classic = readFileSync(ipv4);
    expect(collect(classic, 50).recs).toEqual(collect(classic).recs);
  });

  test('a capture cut mid-record is read up to the cut; garbage is counted, not parsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edu-pcap-'));
    const full = readFileSync(ipv4);
    const all = collect(full).recs.length;
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, full.subarray(0, full.length - 30));
    const r1 = await readCaptureFile(cut, () => {});
    expect(r1.packets).toBe(all - 1);
    expect(r1.errors.truncated_record).toBe(1);
    const junk = Buffer.concat([full.subarray(0, 24 + 16 + full.readUInt32LE(32)), Buffer.alloc(64, 0xff)]);
    const bad = join(dir, 'junk.pcap');
    writeFileSync(bad, junk);
    const r2 = await readCaptureFile(bad, () => {});
    expect(r2.packets).toBe(1);
    expect(r2.damaged).toBe(true);
    expect(r2.errors.corrupt_record).toBe(1);
  });

  test('a file that is not a capture, or is missing, is an EDU_ERR_INPUT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edu-pcap-'));
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'this is not a capture file at all, just text\n');
    await expect(readCaptureFile(txt, () => {})).rejects.toMatchObject({
      code: 'EDU_ERR_INPUT',
      message: expect.stringContaining('not a pcap or pcapng'),
    });
    await expect(readCaptureFile(join(dir, 'missing.pcap'), () => {})).rejects.toMatchObject({ code: 'EDU_ERR_INPUT' });
    writeFileSync(join(dir, 'empty.pcap'), '');
    await expect(readCaptureFile(join(dir, 'empty.pcap'), () => {})).rejects.toMatchObject({ code: 'EDU_ERR_INPUT' });
  });
});
