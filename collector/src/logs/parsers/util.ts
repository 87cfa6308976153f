/** Small helpers shared by the device parsers. */
import { isIP } from 'node:net';

/** key=value pairs; values may be "quoted". Separators: spaces, commas or semicolons. */
export function keyValues(
  s: string,
  re = /([\w.\-()\u4e00-\u9fa5]+)\s*[=:]\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,;"]*))/g,
): Record<string, string> {
  const out: Record<string, string> = {};
  // exec on the (global) pattern itself: matchAll's iterator and regex clone cost per line.
  if (!re.global) throw new TypeError('keyValues needs a global (/g) pattern');
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out[m[1]] = m[2] ?? m[3] ?? '';
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

const isWord = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95; /* \w */

/**
 * The matches of /(\w+)=(\S*)/g in s, in order, without the regex (netfilter's
 * "IN=eth0 OUT= SRC=…", some twenty pairs a line): a match starts at the first run
 * of word characters followed by '=', and its value runs to the next whitespace
 * (JavaScript's \s). `pair` gets the key and where the value is; the value is only
 * cut out when the caller wants it.
 */
export function forEachWordPair(s: string, pair: (key: string, from: number, to: number) => void): void {
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && !isWord(s.charCodeAt(i))) i++;
    const start = i;
    while (i < n && isWord(s.charCodeAt(i))) i++;
    if (i === start || s.charCodeAt(i) !== 61 /* = */) continue;
    const key = s.slice(start, i);
    const from = ++i;
    while (i < n && !isSpace(s.charCodeAt(i))) i++;
    pair(key, from, i);
  }
}

/** keyValues(s, /(\w+)=(\S*)()/g) by forEachWordPair: every pair, a later key replacing an earlier one. */
export function wordKeyValues(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  forEachWordPair(s, (k, from, to) => (out[k] = s.slice(from, to)));
  return out;
}

/** JavaScript's \s: the characters a regex's \s matches. */
export function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

export function ip(v: string | undefined): string | undefined {
  return v && isIP(v) ? v : undefined;
}

export function port(v: string | number | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

export function int(v: string | undefined): number | undefined {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) ? n : undefined;
}

const TRANSPORTS: Record<string, string> = {
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'ipv6-icmp',
  '47': 'gre',
  '132': 'sctp',
};
export function transport(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return TRANSPORTS[v] ?? v.toLowerCase();
}

/**
 * Drops undefined members (and objects left empty) so events stay small and
 * comparable. An object with nothing to drop is kept as it is; one with something to
 * drop is copied, members in the same order. (Deleting members turned each object
 * into a slow dictionary, which every later read, merge and serialisation paid for.)
 */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return (hasDroppable(o) ? compactCopy(o) : o) as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Whether compact would change `o`: an undefined member, or an object member compact would change or drop. */
function hasDroppable(o: Record<string, unknown>): boolean {
  // for..in without key arrays: this runs on every parsed line (parsers build plain objects).
  for (const k in o) {
    const v = o[k];
    if (v === undefined || (isObject(v) && (isEmpty(v) || hasDroppable(v)))) return true;
  }
  return false;
}

function compactCopy(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    let v = o[k];
    if (v === undefined) continue;
    if (isObject(v)) {
      v = compact(v);
      if (isEmpty(v as object)) continue;
    }
    out[k] = v;
  }
  return out;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

export interface Tuple {
  srcIp?: string;
  srcPort?: number;
  dstIp?: string;
  dstPort?: number;
  transport?: string;
}

/** source/destination/network from a 5-tuple. */
export function tupleFields(t: Tuple): Record<string, unknown> {
  return {
    source: { ip: t.srcIp, port: t.srcPort },
    destination: { ip: t.dstIp, port: t.dstPort },
    network: { transport: t.transport },
  };
}

/** What a device's action word means, in ECS terms. */
export interface Decision {
  action?: string;
  kind?: 'metric';
  type?: string[];
  outcome?: 'success' | 'failure';
}

// Whole words only ("bypass" is no pass, "sendmail" no end); the Chinese words as substrings.
const DENY = /^(deny|denied|drop|dropped|block|blocked|reject|rejected|discard|discarded)$/;
const DENY_ZH = /拒绝|阻断|丢弃|禁止/;
const ALLOW = /^(permit|permitted|allow|allowed|accept|accepted|pass|passed|est-allowed)$/;
const ALLOW_ZH = /允许|放行/;
const START = /^(built|build|start|started|create|created)$/;
const END = /^(close|closed|teardown|end|ended|timeout|aged-out|server-rst|client-rst)$/;
/** Traffic statistics (Huawei SECIF/STREAM, FortiGate perf-stats): a measurement, not a verdict. */
const STATS = /^(statistic|statistics|stats|perf-stats|stream-statistics)$/;

type Verdict = 'stats' | 'deny' | 'start' | 'end' | 'allow' | 'other';

function verdictOf(a: string): Verdict {
  const words = a.split(/[^a-z-]+/).filter(Boolean);
  const any = (re: RegExp) =>
    words.some((w) => re.test(w) || (w.includes('-') && w.split('-').some((p) => re.test(p))));
  if (any(STATS)) return 'stats';
  if (any(DENY) || DENY_ZH.test(a)) return 'deny';
  if (any(START)) return 'start';
  if (any(END)) return 'end';
  if (any(ALLOW) || ALLOW_ZH.test(a)) return 'allow';
  return 'other';
}

/** Action word (lower-cased) → verdict; bounded, devices send a small vocabulary. */
const verdicts = new Map<string, Verdict>();

/**
 * ECS event.kind/type/outcome for a device's action word (allow/deny in English or Chinese,
 * session start/end, statistics). A session that was built or torn down was allowed.
 */
export function decision(action: string | undefined): Decision {
  if (!action) return {};
  const a = action.toLowerCase();
  let v = verdicts.get(a);
  if (v === undefined) {
    v = verdictOf(a);
    if (verdicts.size < 4096) verdicts.set(a, v);
  }
  switch (v) {
    case 'stats':
      return { action: a, kind: 'metric', type: ['info'] };
    case 'deny':
      return { action: 'deny', type: ['connection', 'denied'], outcome: 'failure' };
    case 'start':
      return { action: a, type: ['connection', 'start', 'allowed'], outcome: 'success' };
    case 'end':
      return { action: a, type: ['connection', 'end', 'allowed'], outcome: 'success' };
    case 'allow':
      return { action: a, type: ['connection', 'allowed'], outcome: 'success' };
    default:
      return { action: a, type: ['connection'] };
  }
}
