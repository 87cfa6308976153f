/** Reading typed values out of flow records. */
import type { FieldType } from './information-elements';
import { isoFromMs } from '../time';

export function readUint(buf: Buffer, off: number, len: number): number {
  switch (len) {
    case 1:
      return buf[off];
    case 2:
      return buf.readUInt16BE(off);
    case 4:
      return buf.readUInt32BE(off);
    case 8:
      // Same rounding as Number(readBigUInt64BE): hi * 2^32 is exact, one rounding on the sum.
      return buf.readUInt32BE(off) * 4294967296 + buf.readUInt32BE(off + 4);
    default: {
      if (len <= 6) return buf.readUIntBE(off, len);
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + buf[off + i];
      return v;
    }
  }
}

export function ip4(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 text form: lower case, longest zero run compressed. */
export function ip6(buf: Buffer, off: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(buf.readUInt16BE(off + i * 2));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return hex.slice(0, bestAt).join(':') + '::' + hex.slice(bestAt + bestLen).join(':');
}

export function mac(buf: Buffer, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (buf[off + i] < 16 ? '0' : '') + buf[off + i].toString(16);
  return s;
}

const NTP_EPOCH_OFFSET = 2208988800;

/** NTP timestamp (seconds since 1900 + binary fraction) as ISO time with nanoseconds. */
export function ntpIso(buf: Buffer, off: number): string {
  const secs = buf.readUInt32BE(off) - NTP_EPOCH_OFFSET;
  const nanos = Math.floor((buf.readUInt32BE(off + 4) * 1e9) / 2 ** 32);
  const iso = isoFromMs(secs * 1000);
  return iso.slice(0, 20) + String(nanos).padStart(9, '0') + 'Z';
}

export function readValue(buf: Buffer, off: number, len: number, type: FieldType, uptimeBase: number): unknown {
  switch (type) {
    case 'uint':
      return len <= 8 ? readUint(buf, off, len) : buf.toString('hex', off, off + len);
    case 'ip4':
      return len === 4 ? ip4(buf, off) : readUint(buf, off, Math.min(len, 8));
    case 'ip6':
      return len === 16 ? ip6(buf, off) : buf.toString('hex', off, off + len);
    case 'mac':
      return len === 6 ? mac(buf, off) : buf.toString('hex', off, off + len);
    case 'string': {
      let end = off + len;
      while (end > off && buf[end - 1] === 0) end--;
      return buf.toString('utf8', off, end);
    }
    case 'ntp':
      return len === 8 ? ntpIso(buf, off) : readUint(buf, off, len);
    case 'uptime':
      return len <= 8 ? isoFromMs(uptimeBase + readUint(buf, off, len)) : undefined;
    case 'appid': {
      if (len < 2) return `${buf[off] ?? 0}..0`;
      const engine = buf[off];
      // Engine 20 (PANA-L7-PEN): a 4-byte enterprise number before the selector.
      if (engine === 20 && len >= 6)
        return `${engine}..${buf.readUInt32BE(off + 1)}..${readUint(buf, off + 5, len - 5)}`;
      return `${engine}..${readUint(buf, off + 1, len - 1)}`;
    }
    case 'acl':
      return buf.toString('hex', off, off + len);
    case 'octets':
    default:
      return buf.toString('hex', off, off + len);
  }
}
