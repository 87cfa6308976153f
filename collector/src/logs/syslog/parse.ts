/**
 * Syslog message parsing: RFC 5424 (structured data with escapes, nil values) and
 * RFC 3164 / BSD (with the variants met in practice: no PRI, RFC 3339 timestamps,
 * missing hostname). RFC 3164 timestamps carry no year or zone: the year is taken
 * from the receive time and the zone from the source's configured offset.
 */
import { isoFromMs } from '../time';

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
const BSD_TS = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? /;
const ISO_TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s/;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]]{1,32})\])?:\s?/;

export interface ParseOptions {
  /** Receive time (epoch ms), for the year of RFC 3164 timestamps. */
  now?: number;
  /** Offset of the source's local time from UTC in minutes (RFC 3164 has no zone). */
  tzOffsetMinutes?: number;
}

export function parseSyslog(raw: string, opts: ParseOptions = {}): SyslogMessage {
  let line = raw;
  while (line.endsWith('\n') || line.endsWith('\r') || line.endsWith('\0')) line = line.slice(0, -1);
  const m: SyslogMessage = { message: line, format: 'raw' };
  let rest = line;
  const pri = /^<(\d{1,3})>/.exec(rest);
  if (pri && Number(pri[1]) <= 191) {
    m.priority = Number(pri[1]);
    m.facility = m.priority >> 3;
    m.severity = m.priority & 7;
    rest = rest.slice(pri[0].length);
    if (/^1 /.test(rest)) return parse5424(rest.slice(2), m);
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
  const tsMs = ts && ts !== '-' ? Date.parse(ts) : NaN;
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
      const idEnd = s.slice(i).search(/[ \]]/);
      if (idEnd < 0) break;
      const id = s.slice(i, i + idEnd);
      i += idEnd;
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
  let b = BSD_TS.exec(rest);
  if (b) {
    const month = MONTHS[b[1]];
    if (month !== undefined) {
      m.format = 'rfc3164';
      const offset = (opts.tzOffsetMinutes ?? 0) * 60_000;
      const year = new Date(now + offset).getUTCFullYear();
      let t = Date.UTC(year, month, Number(b[2]), Number(b[3]), Number(b[4]), Number(b[5])) - offset;
      // A December message received in January belongs to last year.
      if (t - now > 7 * 86400_000)
        t = Date.UTC(year - 1, month, Number(b[2]), Number(b[3]), Number(b[4]), Number(b[5])) - offset;
      m.timestamp = isoFromMs(t);
      rest = rest.slice(b[0].length);
    } else b = null;
  }
  if (!b) {
    const iso = ISO_TS.exec(rest);
    if (iso) {
      m.format = 'rfc3164';
      m.timestamp = isoFromMs(Date.parse(iso[1]));
      rest = rest.slice(iso[0].length);
    }
  }
  if (m.format === 'rfc3164') {
    // HOSTNAME, unless the next token is already the tag ("app[12]:" or "app:").
    const sp = rest.indexOf(' ');
    const first = sp < 0 ? rest : rest.slice(0, sp);
    if (sp > 0 && !/[:[\]]$/.test(first) && !/\]:?$/.test(first)) {
      m.hostname = first;
      rest = rest.slice(sp + 1);
    }
  }
  const tag = TAG.exec(rest);
  if (tag && (m.format === 'rfc3164' || m.priority !== undefined)) {
    m.appname = tag[1];
    if (tag[2]) m.procid = tag[2];
    rest = rest.slice(tag[0].length);
    if (m.format === 'raw') m.format = 'rfc3164';
  }
  m.message = rest;
  return m;
}
