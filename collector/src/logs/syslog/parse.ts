/**
 * Syslog message parsing: RFC 5424 (structured data with escapes, nil values) and
 * RFC 3164 / BSD (with the variants met in practice: no PRI, RFC 3339 timestamps,
 * missing hostname). RFC 3164 timestamps carry no year or zone: the year is taken
 * from the receive time and the zone from the source's configured offset.
 */
import { isSpace } from '../parsers/util';
import { isoFromMs, msFromIso } from '../../time';

export interface SyslogMessage {
  priority?: number;
  facility?: number;
  severity?: number;
  version?: number;
  /** ISO time; undefined when the message carried none. */
  timestamp?: string;
  hostname?: string;
  appname?: string;
  procid?: string;
  msgid?: string;
  structuredData?: Record<string, Record<string, string>>;
  message: string;
  format: 'rfc5424' | 'rfc3164' | 'raw';
}

export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
export const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const ISO_TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s/;
const YEAR_TS = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) /;

/*
 * The PRI, the RFC 3164 timestamp and the tag are read by small hand-written
 * scanners, not regular expressions: they run on every line, and a regex match
 * allocates its result array and capture strings (the largest share of header
 * parsing). Each scanner accepts exactly what the pattern in its comment does.
 */

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** /^<(\d{1,3})>/: the index just past the '>', or 0 when the line has no PRI. */
export function scanPri(s: string): number {
  if (s.charCodeAt(0) !== 60 /* < */) return 0;
  let i = 1;
  while (i <= 3 && isDigit(s.charCodeAt(i))) i++;
  return i > 1 && s.charCodeAt(i) === 62 /* > */ ? i + 1 : 0;
}

/** Two ASCII digits at i as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >>> 0 <= 9 && b >>> 0 <= 9 ? a * 10 + b : -1;
}

export interface BsdTime {
  month: string;
  day: number;
  h: number;
  m: number;
  s: number;
  /** Length of the timestamp with its trailing space. */
  len: number;
}

/** /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? /, e.g. "Oct 11 22:14:15 ". */
export function scanBsdTime(s: string): BsdTime | undefined {
  const c0 = s.charCodeAt(0);
  if (!(c0 >= 65 && c0 <= 90) || !isLower(s.charCodeAt(1)) || !isLower(s.charCodeAt(2)) || s[3] !== ' ')
    return undefined;
  let i = s[4] === ' ' ? 5 : 4;
  if (!isDigit(s.charCodeAt(i))) return undefined;
  let day = s.charCodeAt(i++) - 48;
  if (isDigit(s.charCodeAt(i))) day = day * 10 + s.charCodeAt(i++) - 48;
  if (s[i] !== ' ') return undefined;
  const h = two(s, i + 1);
  const m = two(s, i + 4);
  const sec = two(s, i + 7);
  if (h < 0 || m < 0 || sec < 0 || s[i + 3] !== ':' || s[i + 6] !== ':') return undefined;
  i += 9;
  if (s[i] === '.' && isDigit(s.charCodeAt(i + 1))) {
    i += 2;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  if (s[i] !== ' ') return undefined;
  return { month: s.slice(0, 3), day, h, m, s: sec, len: i + 1 };
}
const isLower = (c: number): boolean => c >= 97 && c <= 122;

export interface Tag {
  app: string;
  pid: string | undefined;
  len: number;
}

/** /^([^\s:[\]]{1,48})(?:\[([^\]]{1,32})\])?:\s?/, e.g. "sshd[123]: " or "kernel:". */
export function scanTag(s: string): Tag | undefined {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 58 /* : */ || c === 91 /* [ */ || c === 93 /* ] */ || isSpace(c)) break;
  }
  if (i === 0 || i > 48) return undefined;
  const app = s.slice(0, i);
  let pid: string | undefined;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i + 1);
    // The pid group is optional, but without it a ':' would be needed where the '[' is.
    if (close < 0 || close === i + 1 || close - i - 1 > 32) return undefined;
    pid = s.slice(i + 1, close);
    i = close + 1;
  }
  if (s.charCodeAt(i) !== 58) return undefined;
  i++;
  if (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return { app, pid, len: i };
}

export interface ParseOptions {
  /** Receive time (epoch ms), for the year of RFC 3164 timestamps. */
  now?: number;
  /** Offset of the source's local time from UTC in minutes (RFC 3164 has no zone). */
  tzOffsetMinutes?: number;
}

export function parseSyslog(raw: string, opts: ParseOptions = {}): SyslogMessage {
  let end = raw.length;
  for (let c = raw.charCodeAt(end - 1); c === 10 || c === 13 || c === 0; c = raw.charCodeAt(end - 1)) end--;
  const line = end === raw.length ? raw : raw.slice(0, end);
  const m: SyslogMessage = { message: line, format: 'raw' };
  let rest = line;
  const priEnd = scanPri(rest);
  let pri = 0;
  for (let i = 1; i < priEnd - 1; i++) pri = pri * 10 + rest.charCodeAt(i) - 48;
  if (priEnd && pri <= 191) {
    m.priority = pri;
    m.facility = pri >> 3;
    m.severity = pri & 7;
    rest = rest.slice(priEnd);
    if (rest[0] === '1' && rest[1] === ' ') return parse5424(rest.slice(2), m);
  }
  return parse3164(rest, m, opts);
}

function nil(v: string): string | undefined {
  return v === '-' ? undefined : v;
}

function parse5424(s: string, m: SyslogMessage): SyslogMessage {
  m.format = 'rfc5424';
  m.version = 1;
  const parts: string[] = [];
  let i = 0;
  for (let k = 0; k < 5; k++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) {
      parts.push(s.slice(i));
      i = s.length;
      break;
    }
    parts.push(s.slice(i, sp));
    i = sp + 1;
  }
  const [ts, host, app, proc, msgid] = parts;
  const tsMs = ts && ts !== '-' ? msFromIso(ts) : NaN;
  if (!Number.isNaN(tsMs)) m.timestamp = isoFromMs(tsMs);
  m.hostname = host ? nil(host) : undefined;
  m.appname = app ? nil(app) : undefined;
  m.procid = proc ? nil(proc) : undefined;
  m.msgid = msgid ? nil(msgid) : undefined;
  // STRUCTURED-DATA: "-" or one or more [id param="value" ...], values escape \" \\ \]
  if (s[i] === '-') i += 1;
  else if (s[i] === '[') {
    const sd: Record<string, Record<string, string>> = {};
    while (s[i] === '[') {
      i++;
      let idEnd = i;
      while (idEnd < s.length && s[idEnd] !== ' ' && s[idEnd] !== ']') idEnd++;
      if (idEnd === s.length) break;
      const id = s.slice(i, idEnd);
      i = idEnd;
      const params: Record<string, string> = {};
      while (s[i] === ' ') {
        i++;
        const eq = s.indexOf('="', i);
        if (eq < 0) break;
        const name = s.slice(i, eq);
        i = eq + 2;
        // Copied in runs between escapes (not a char at a time): \" \\ \] keep the escaped char.
        let value = '';
        let from = i;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) {
            value += s.slice(from, i);
            from = i + 1;
            i += 2;
          } else i++;
        }
        value += s.slice(from, i);
        i++; // closing quote
        params[name] = value;
      }
      if (s[i] === ']') i++;
      sd[id] = params;
    }
    m.structuredData = sd;
  }
  let msg = s.slice(i);
  if (msg.startsWith(' ')) msg = msg.slice(1);
  if (msg.startsWith('\ufeff')) msg = msg.slice(1);
  m.message = msg;
  return m;
}

function parse3164(s: string, m: SyslogMessage, opts: ParseOptions): SyslogMessage {
  let rest = s;
  const now = opts.now ?? Date.now();
  const b = scanBsdTime(rest);
  const month = b && MONTHS[b.month];
  if (b && month !== undefined) {
    m.format = 'rfc3164';
    const offset = (opts.tzOffsetMinutes ?? 0) * 60_000;
    const year = utcYear(now + offset);
    let t = Date.UTC(year, month, b.day, b.h, b.m, b.s) - offset;
    // A December message received in January belongs to last year.
    if (t - now > 7 * 86400_000) t = Date.UTC(year - 1, month, b.day, b.h, b.m, b.s) - offset;
    m.timestamp = isoFromMs(t);
    rest = rest.slice(b.len);
  } else {
    const iso = ISO_TS.exec(rest);
    const dated = iso ? undefined : YEAR_TS.exec(rest);
    if (iso) {
      m.format = 'rfc3164';
      m.timestamp = isoFromMs(Date.parse(iso[1]));
      rest = rest.slice(iso[0].length);
    } else if (dated && MONTHS[dated[1]] !== undefined) {
      // Huawei's and H3C's default "Mmm dd yyyy hh:mm:ss": local time with the year.
      m.format = 'rfc3164';
      const [, mon, d, y, hh, mm, ss] = dated;
      const offset = (opts.tzOffsetMinutes ?? 0) * 60_000;
      m.timestamp = isoFromMs(Date.UTC(+y, MONTHS[mon], +d, +hh, +mm, +ss) - offset);
      rest = rest.slice(dated[0].length);
    }
  }
  if (m.format === 'rfc3164') {
    // HOSTNAME, unless the next token is already the tag ("app[12]:" or "app:").
    const sp = rest.indexOf(' ');
    const last = sp > 0 ? rest.charCodeAt(sp - 1) : 0;
    if (sp > 0 && last !== 58 /* : */ && last !== 91 /* [ */ && last !== 93 /* ] */) {
      m.hostname = rest.slice(0, sp);
      rest = rest.slice(sp + 1);
    }
  }
  // Huawei (VRP, USG) and H3C (Comware) send no tag: "HOSTNAME %%01SECLOG/4/SESSION_TEARDOWN(l)[7]:text"
  // starts their content (MODULE/SEVERITY/MNEMONIC), which their device parsers read. Not a program name.
  const tag = rest.startsWith('%%') ? undefined : scanTag(rest);
  if (tag && (m.format === 'rfc3164' || m.priority !== undefined)) {
    m.appname = tag.app;
    if (tag.pid) m.procid = tag.pid;
    rest = rest.slice(tag.len);
    if (m.format === 'raw') m.format = 'rfc3164';
  }
  m.message = rest;
  return m;
}

/** UTC year of an epoch ms, from a one-day cache (a Date per line otherwise). */
let yearDay = NaN;
let yearOfDay = 0;
function utcYear(ms: number): number {
  const day = Math.floor(ms / 86400_000);
  if (day !== yearDay) {
    yearOfDay = new Date(ms).getUTCFullYear();
    yearDay = day;
  }
  return yearOfDay;
}
