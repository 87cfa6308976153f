/**
 * Just enough of ZIP to read the XML parts of an .xlsx or .docx: the central directory,
 * stored and deflated entries, each inflated under a size cap (a zip bomb stops there).
 */
import { inflateRawSync } from 'node:zlib';

export function zipEntries(buf: Buffer): Map<string, { offset: number; method: number; size: number; csize: number }> {
  const out = new Map<string, { offset: number; method: number; size: number; csize: number }>();
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = 0; n < count && p + 46 <= buf.length; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('ZIP central directory is damaged');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    out.set(buf.toString('utf8', p + 46, p + 46 + nameLen), { offset, method, size, csize });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** One entry's bytes, or undefined when absent; throws past `maxBytes`. */
export function zipRead(buf: Buffer, name: string, maxBytes: number): Buffer | undefined {
  const e = zipEntries(buf).get(name);
  if (!e) return undefined;
  if (buf.readUInt32LE(e.offset) !== 0x04034b50) throw new Error(`ZIP entry ${name} is damaged`);
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.csize);
  if (e.method === 0) return data.subarray(0, maxBytes);
  if (e.method !== 8) throw new Error(`ZIP entry ${name} uses compression method ${e.method}`);
  return inflateRawSync(data, { maxOutputLength: maxBytes });
}

export function xmlText(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}
