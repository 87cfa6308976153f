/**
 * network.direction from the configured campus ranges: inbound (outside → campus),
 * outbound (campus → outside), internal (both on campus), external (neither).
 * Matches on address words, so it costs a few integer compares per flow.
 */
import { parseCidr, type Cidr } from '@edusentry/core';

interface Range {
  v4: boolean;
  words: Uint32Array;
  masks: Uint32Array;
}

export type FlowDirection = 'inbound' | 'outbound' | 'internal' | 'external';

export class CampusMatcher {
  private readonly ranges: Range[];

  constructor(cidrs: string[]) {
    this.ranges = cidrs.map((c) => {
      let cidr: Cidr;
      try {
        cidr = parseCidr(c);
      } catch {
        throw new Error(`invalid campus network "${c}"`);
      }
      const { v4, bytes, prefix: bits } = cidr;
      const n = v4 ? 1 : 4;
      const words = new Uint32Array(n);
      const masks = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        words[i] = ((bytes[i * 4] << 24) | (bytes[i * 4 + 1] << 16) | (bytes[i * 4 + 2] << 8) | bytes[i * 4 + 3]) >>> 0;
        const rem = Math.max(0, Math.min(32, bits - i * 32));
        masks[i] = rem === 0 ? 0 : (0xffffffff << (32 - rem)) >>> 0;
        words[i] = (words[i] & masks[i]) >>> 0;
      }
      return { v4, words, masks };
    });
  }

  contains(version: number, w: Uint32Array, at = 0): boolean {
    for (const r of this.ranges) {
      if (r.v4 !== (version === 4)) continue;
      let ok = true;
      for (let i = 0; i < r.words.length && ok; i++) ok = (w[at + i] & r.masks[i]) >>> 0 === r.words[i];
      if (ok) return true;
    }
    return false;
  }

  direction(version: number, src: Uint32Array, srcAt: number, dst: Uint32Array, dstAt: number): FlowDirection {
    const s = this.contains(version, src, srcAt);
    const d = this.contains(version, dst, dstAt);
    return s ? (d ? 'internal' : 'outbound') : d ? 'inbound' : 'external';
  }
}
