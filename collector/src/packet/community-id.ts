/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): a hash of the
 * flow tuple that Zeek, Suricata and Elastic agree on, so our flows, app events and
 * flow-log records can be joined with theirs.
 */
import * as crypto from 'node:crypto';
import { isIPv4 } from 'node:net';
import { ipBytes } from '@edusentry/core';

/** ICMP types with a counterpart ("ports" become type and counterpart type). */
const ICMP4_PAIRS: Record<number, number> = {
  8: 0,
  0: 8,
  13: 14,
  14: 13,
  15: 16,
  16: 15,
  10: 9,
  9: 10,
  17: 18,
  18: 17,
};
const ICMP6_PAIRS: Record<number, number> = {
  128: 129,
  129: 128,
  133: 134,
  134: 133,
  135: 136,
  136: 135,
  130: 131,
  131: 130,
  144: 145,
  145: 144,
};

/** One-shot hash (Node ≥ 20.12): several times cheaper than a Hash object, same digest. */
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'base64') => string }).hash;
/** The hashed tuple is at most 2 + 16 + 16 + 2 + 4 bytes; one buffer serves every call. */
const scratch = Buffer.alloc(40);

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Community ID from raw address bytes (4 or 16 each). For ICMP/ICMPv6 pass the type
 * as srcPort and the code as dstPort.
 */
export function communityIdBytes(
  proto: number,
  src: Uint8Array,
  dst: Uint8Array,
  srcPort: number,
  dstPort: number,
  seed = 0,
): string {
  let sp = srcPort;
  let dp = dstPort;
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    const pair = (proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS)[srcPort];
    if (pair === undefined) oneWay = true;
    else dp = pair;
  }
  const hasPorts = proto === 6 || proto === 17 || proto === 132 || proto === 1 || proto === 58;
  let a = src;
  let b = dst;
  const c = compare(src, dst);
  if (!oneWay && (c > 0 || (c === 0 && sp > dp))) {
    [a, b] = [b, a];
    [sp, dp] = [dp, sp];
  }
  const buf = scratch.subarray(0, 2 + a.length * 2 + 2 + (hasPorts ? 4 : 0));
  buf.writeUInt16BE(seed & 0xffff, 0);
  buf.set(a, 2);
  buf.set(b, 2 + a.length);
  let o = 2 + a.length * 2;
  buf[o++] = proto;
  buf[o++] = 0;
  if (hasPorts) {
    buf.writeUInt16BE(sp, o);
    buf.writeUInt16BE(dp, o + 2);
  }
  return '1:' + (oneShot ? oneShot('sha1', buf, 'base64') : crypto.createHash('sha1').update(buf).digest('base64'));
}

/** Community ID v1 from textual addresses, e.g. communityId(6, '10.0.0.1', '10.0.0.2', 1234, 80). */
export function communityId(
  proto: number,
  srcIp: string,
  dstIp: string,
  srcPort: number,
  dstPort: number,
  seed = 0,
): string | undefined {
  const s = ipBytes(srcIp);
  const d = ipBytes(dstIp);
  if (!s || !d) return undefined;
  const v4 = isIPv4(srcIp) && isIPv4(dstIp);
  return communityIdBytes(proto, v4 ? s.subarray(12) : s, v4 ? d.subarray(12) : d, srcPort, dstPort, seed);
}

/** Address words (see DecodedPacket.src) to bytes. */
export function wordsToBytes(version: number, w: Uint32Array, at = 0): Uint8Array {
  const n = version === 4 ? 1 : 4;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const x = w[at + i];
    out[i * 4] = x >>> 24;
    out[i * 4 + 1] = (x >>> 16) & 255;
    out[i * 4 + 2] = (x >>> 8) & 255;
    out[i * 4 + 3] = x & 255;
  }
  return out;
}
