/**
 * The events waiting in a spool directory, read without changing anything (no
 * truncation, no cursor move): safe while a collector owns the spool, for
 * inspection and for tests that need to know what was accepted.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { EcsEvent } from '@edusentry/core';

const HEADER = 10;

export function peekSpool(dir: string): EcsEvent[] {
  if (!existsSync(dir)) return [];
  let cursor = { seg: 0, off: 0 };
  try {
    cursor = JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8'));
  } catch {
    // no cursor yet: everything is pending
  }
  const events: EcsEvent[] = [];
  const segs = readdirSync(dir)
    .filter((f) => /^\d{12}\.seg$/.test(f))
    .map((f) => Number(f.slice(0, 12)))
    .filter((s) => s >= cursor.seg)
    .sort((a, b) => a - b);
  for (const seg of segs) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(dir, String(seg).padStart(12, '0') + '.seg'));
    } catch {
      continue; // drained and deleted meanwhile
    }
    let i = seg === cursor.seg ? cursor.off : 0;
    while (i + HEADER <= buf.length) {
      const len = buf.readUInt32BE(i + 2);
      if (buf[i] !== 0x45 || buf[i + 1] !== 0x53 || i + HEADER + len > buf.length) break; // torn or being written
      const payload = buf.subarray(i + HEADER, i + HEADER + len);
      if (crc32(payload) === buf.readUInt32BE(i + 6)) events.push(JSON.parse(payload.toString('utf8')));
      i += HEADER + len;
    }
  }
  return events;
}
