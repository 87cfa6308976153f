/**
 * A received syslog line (or a log-file line) → ECS LogEvent (dataset syslog):
 * syslog header into log.syslog.*, then the device parser's fields merged in. A line
 * no parser recognises stays a generic syslog event. The id is a hash of the source
 * and the raw line, so a line sent again (retry, replay) is stored once.
 */
import {
  bindingOf,
  eventId,
  type Attribution,
  type EcsEvent,
  type LogEvent,
  type Observer,
  type Organization,
} from '@edusentry/core';
import { isoFromMs, msFromIso } from '../../time';
import { parseDeviceLine, type ParserSelection } from '../parsers';
import { FACILITIES, parseSyslog, SEVERITIES, type ParseOptions } from './parse';

export interface LogEventOptions extends ParseOptions, ParserSelection {
  organization?: Organization;
  observer?: Observer;
  attribution?: Attribution;
  /** Lines from files are not syslog: skip header parsing. */
  plain?: boolean;
  /** Where the line came from: "udp", "tcp", "tls" or the file path. */
  input?: string;
  /** Per-source RFC 3164 zone offsets (minutes), by source address. */
  tzBySource?: Record<string, number>;
}

export function lineToEvent(raw: string, source: string, receivedMs: number, o: LogEventOptions = {}): LogEvent {
  const tz = o.tzBySource?.[source] ?? o.tzOffsetMinutes;
  const s = o.plain
    ? { message: raw.replace(/\r?\n$/, ''), format: 'raw' as const }
    : parseSyslog(raw, { now: receivedMs, tzOffsetMinutes: tz });
  const m = s as ReturnType<typeof parseSyslog>;
  const event: LogEvent['event'] = {
    id: eventId(`syslog:${source}`, raw),
    kind: 'event',
    dataset: 'syslog',
    module: 'syslog',
  };
  if (raw && raw.length <= 8192) event.original = raw;
  const ev: LogEvent = {
    '@timestamp': m.timestamp ?? isoFromMs(receivedMs),
    event,
    message: m.message,
    observer: { ...o.observer },
  };
  if (o.organization) ev.organization = o.organization;
  if (!o.plain) {
    const sys: NonNullable<NonNullable<LogEvent['log']>['syslog']> = {};
    if (m.priority !== undefined) {
      sys.priority = m.priority;
      sys.facility = { code: m.facility, name: FACILITIES[m.facility!] };
      sys.severity = { code: m.severity, name: SEVERITIES[m.severity!] };
    }
    if (m.hostname) sys.hostname = m.hostname;
    if (m.appname) sys.appname = m.appname;
    if (m.procid) sys.procid = m.procid;
    if (m.msgid) sys.msgid = m.msgid;
    if (m.version) sys.version = String(m.version);
    if (m.structuredData) sys.structured_data = m.structuredData;
    ev.log = { syslog: sys };
    if (m.appname) {
      const proc: NonNullable<LogEvent['process']> = { name: m.appname };
      if (m.procid && isDigits(m.procid)) proc.pid = Number(m.procid);
      ev.process = proc;
    }
    if (m.hostname) ev.host = { name: m.hostname };
    if (m.severity !== undefined) ev.log.level = SEVERITIES[m.severity];
  } else if (o.input) ev.log = { file: { path: o.input } };
  const { parser, parsed } = parseDeviceLine(m.message, source, m.appname, o);
  if (parser && parsed) {
    const merged = mergeFields(ev as unknown as Record<string, unknown>, parsed.fields) as unknown as LogEvent;
    merged.event.id = ev.event.id;
    merged.event.dataset = 'syslog';
    merged.event.module = parser.name;
    merged.observer = { ...merged.observer, vendor: parser.vendor, product: parser.product };
    if (o.attribution) {
      const at = msFromIso(merged['@timestamp']);
      const binding = bindingOf(merged as unknown as Record<string, unknown>);
      if (binding) o.attribution.learn(binding, at);
      if (merged.url || merged.source?.ip) o.attribution.enrich(merged as unknown as EcsEvent, at);
    }
    return merged;
  }
  return ev;
}

/**
 * core's deepMerge specialised for this one use: it copied the whole event at every
 * level (Object.entries and spreads), the largest single cost of syslog parsing. The
 * event and its first-level objects were built by lineToEvent for this line, so they
 * are merged into in place; `organization` and anything deeper may be shared (options,
 * parser constants) and are copied before being written, as deepMerge would.
 */
function mergeFields(ev: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  if (hasInherited(patch)) return mergeMembers(ev, patch);
  // The members that merge deeper (event, observer…) are set aside, the others copied
  // at once by Object.assign (native; adding them one by one from here cost a map
  // transition each), then the set-aside ones merged back: same members, same order.
  const deep: string[] = [];
  for (const k in patch) if (isPlainObject(patch[k]) && isPlainObject(ev[k])) deep.push(k);
  const saved = deep.map((k) => ev[k] as Record<string, unknown>);
  Object.assign(ev, patch);
  for (let i = 0; i < deep.length; i++) {
    const k = deep[i];
    const v = patch[k] as Record<string, unknown>;
    ev[k] = k === 'organization' ? mergeCopy(saved[i], v) : mergeInPlace(saved[i], v);
  }
  return ev;
}

/** mergeFields member by member (for a patch with inherited members, which only for..in sees). */
function mergeMembers(ev: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const k in patch) {
    const v = patch[k];
    const cur = ev[k];
    if (isPlainObject(v) && isPlainObject(cur)) ev[k] = k === 'organization' ? mergeCopy(cur, v) : mergeInPlace(cur, v);
    else ev[k] = v;
  }
  return ev;
}

function mergeInPlace(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  // With no member to merge deeper (the usual case: event, observer), this is Object.assign,
  // whose native copy is much cheaper than adding members one by one from here.
  if (!needsDeepMerge(target, patch)) return Object.assign(target, patch);
  for (const k in patch) {
    const v = patch[k];
    const cur = target[k];
    target[k] = isPlainObject(v) && isPlainObject(cur) ? mergeCopy(cur, v) : v;
  }
  return target;
}

function needsDeepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): boolean {
  for (const k in patch) {
    if (!Object.prototype.hasOwnProperty.call(patch, k)) return true; // inherited: only for..in sees it
    if (isPlainObject(patch[k]) && isPlainObject(target[k])) return true;
  }
  return false;
}

function hasInherited(patch: Record<string, unknown>): boolean {
  for (const k in patch) if (!Object.prototype.hasOwnProperty.call(patch, k)) return true;
  return false;
}

function mergeCopy(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  return mergeInPlace({ ...base }, patch);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** /^\d+$/ without a regex. */
function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** Observer for a syslog sender (the device), merged over the collector's own. */
export function senderObserver(base: Observer | undefined, sender: string): Observer {
  return { ...base, ip: sender };
}
