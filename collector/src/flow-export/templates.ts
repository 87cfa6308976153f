/**
 * Templates for NetFlow v9 and IPFIX, kept per exporter, observation domain and
 * template id, with expiry; data sets that arrive before their template are held
 * (bounded) and decoded when it arrives. Also the exporters' sampling rates, learnt
 * from options records.
 */
import type { EcsEvent } from '@edusentry/core';
import { isoFromMs } from '../time';
import { fieldDef, type FieldDef } from './information-elements';
import { buildFlowEvent, FLOW_INPUTS, flowToEcs, FlowValues, type FlowEcsOptions } from './to-ecs';
import type { FlowCounters, FlowRecord } from './types';
import { ip4, readUint, readValue } from './values';

export interface TemplateField {
  id: number;
  pen: number;
  /** 65535 = variable length (IPFIX). */
  len: number;
  def: FieldDef;
  /** Scope fields of options templates (v9 names them scope_*). */
  scopeName?: string;
}

export interface Template {
  id: number;
  fields: TemplateField[];
  options: boolean;
  /** Bytes per record, or -1 when a field has variable length. */
  recordLen: number;
  seenMs: number;
  /** Compiled reader for fixed-length records (see compileReader), built on first use. */
  reader?: RecordReader;
  /** Header keys the reader was compiled for (they differ between v9 and IPFIX). */
  readerHeader?: string;
  /** Compiled ECS-input writer for fixed-length data templates (see compileValuesWriter), built on first use. */
  writer?: ValuesWriter;
  writerHeader?: string;
}

/** Fills the ECS inputs of the fixed-length record at `o` straight from the bytes. */
type ValuesWriter = (b: Buffer, o: number, h: Record<string, unknown>, s: number, ub: number, v: FlowValues) => void;

/** Where events go when decoding straight to ECS (FlowDecoder.decodeToEcs). */
export interface EventOutput {
  events: EcsEvent[];
  opts: FlowEcsOptions;
}

/** Reads one fixed-length record at `o` into the field object a FlowRecord carries. */
type RecordReader = (
  b: Buffer,
  o: number,
  header: Record<string, unknown>,
  setId: number,
  uptimeBase: number,
) => Record<string, unknown>;

/** Header context a data set needs to be decoded (kept with buffered sets). */
export interface SetContext {
  protocol: 'netflow9' | 'ipfix';
  exporter: string;
  domain: number;
  exportMs: number;
  /** v9: epoch ms at sysUptime 0, to turn first/last_switched into times. */
  uptimeBase: number;
  header: Record<string, unknown>;
  /** Distinguishes this set within the exporter's stream (export time, sequence, offset). */
  keyPrefix: string;
}

interface Pending {
  ctx: SetContext;
  setId: number;
  body: Buffer;
}

export interface TemplateOptions {
  /** Templates not refreshed within this time are forgotten. */
  templateTimeoutMs: number;
  /** Data sets held while their template is unknown, over all exporters. */
  maxPendingSets: number;
}

const V9_SCOPES: Record<number, string> = {
  1: 'scope_system',
  2: 'scope_interface',
  3: 'scope_linecard',
  4: 'scope_netflow_cache',
  5: 'scope_template',
};

export class TemplateCache {
  private readonly templates = new Map<string, Template>();
  private readonly pending = new Map<string, Pending[]>();
  private pendingCount = 0;
  private readonly sampling = new Map<string, number>();
  private readonly values = new FlowValues();

  constructor(
    private readonly opts: TemplateOptions,
    private readonly counters: FlowCounters,
  ) {}

  static key(exporter: string, domain: number, id: number): string {
    return `${exporter}|${domain}|${id}`;
  }

  /** Stores a template and decodes any data that waited for it (into `events` when given, as decodeSet). */
  add(ctx: SetContext, t: Template, out: FlowRecord[], events?: EventOutput): void {
    const key = TemplateCache.key(ctx.exporter, ctx.domain, t.id);
    if (!t.fields.length) {
      this.templates.delete(key); // IPFIX withdrawal
      return;
    }
    this.templates.set(key, t);
    this.counters.templates++;
    const waiting = this.pending.get(key);
    if (waiting) {
      this.pending.delete(key);
      this.pendingCount -= waiting.length;
      for (const p of waiting) this.decodeSet(p.ctx, p.setId, p.body, out, events);
    }
  }

  templateCount(): number {
    return this.templates.size;
  }

  /**
   * Decodes a data set, or holds it until its template arrives. Its records are appended to
   * `out`, or with `events` (FlowDecoder.decodeToEcs) become ECS events there as they are
   * decoded; options records are never events.
   */
  decodeSet(ctx: SetContext, setId: number, body: Buffer, out: FlowRecord[], events?: EventOutput): void {
    const key = TemplateCache.key(ctx.exporter, ctx.domain, setId);
    let t = this.templates.get(key);
    if (t && Date.now() - t.seenMs > this.opts.templateTimeoutMs) {
      this.templates.delete(key);
      t = undefined;
    }
    if (!t) {
      this.counters.no_template++;
      if (this.pendingCount >= this.opts.maxPendingSets) {
        this.counters.buffer_dropped++;
        return;
      }
      const list = this.pending.get(key) ?? [];
      list.push({ ctx, setId, body: Buffer.from(body) });
      this.pending.set(key, list);
      this.pendingCount++;
      this.counters.buffered++;
      return;
    }
    const samplingKey = `${ctx.exporter}|${ctx.domain}`;
    const fixed = t.recordLen;
    if (fixed === 0) return;
    if (fixed > 0 && events && !t.options) {
      this.writeEvents(ctx, t, setId, body, samplingKey, events);
      return;
    }
    if (fixed > 0) {
      // Fixed-length records (nearly all traffic): one compiled function per template.
      const read = readerFor(t, ctx.header);
      // Records until what is left is shorter than a record (the rest is padding).
      for (let off = 0; body.length - off >= fixed; off += fixed)
        this.emit(ctx, t, setId, off, samplingKey, read(body, off, ctx.header, setId, ctx.uptimeBase), out, events);
      return;
    }
    let off = 0;
    while (off < body.length) {
      const start = off;
      const fields: Record<string, unknown> = { ...ctx.header, flowset_id: setId };
      let ok = true;
      for (const f of t.fields) {
        let len = f.len;
        if (len === 65535) {
          if (off >= body.length) {
            ok = false;
            break;
          }
          len = body[off++];
          if (len === 255) {
            if (off + 2 > body.length) {
              ok = false;
              break;
            }
            len = body.readUInt16BE(off);
            off += 2;
          }
        }
        if (off + len > body.length) {
          ok = false;
          break;
        }
        if (len > 0) fields[f.scopeName ?? f.def.name] = readValue(body, off, len, f.def.type, ctx.uptimeBase);
        else if (f.len === 65535 && f.def.type === 'string') fields[f.def.name] = '';
        off += len;
      }
      if (!ok) {
        if (start > 0) break; // padding after variable-length records
        this.counters.invalid_records = (this.counters.invalid_records ?? 0) + 1;
        break;
      }
      if (isAllZero(body, start, off)) break; // zero padding parsed as a record
      this.emit(ctx, t, setId, start, samplingKey, fields, out, events);
    }
  }

  /**
   * Fixed-length data records straight to ECS events: the template's compiled writer
   * reads only the fields the event uses into one reused FlowValues, and no record
   * object (a property per field) is built. Same events as emit + flowToEcs.
   */
  private writeEvents(
    ctx: SetContext,
    t: Template,
    setId: number,
    body: Buffer,
    samplingKey: string,
    direct: EventOutput,
  ): void {
    const write = writerFor(t, ctx.header);
    const v = this.values;
    const fixed = t.recordLen;
    v.protocol = ctx.protocol;
    v.exporter = ctx.exporter;
    v.idSource = `${ctx.protocol}:${ctx.exporter}:${ctx.domain}`;
    v.exportMs = ctx.exportMs;
    // Only options records change the exporter's rate, so it is read once per data set.
    const exporterRate = this.sampling.get(samplingKey) ?? 1;
    const keyPrefix = `${ctx.keyPrefix}:${setId}:`;
    for (let off = 0; body.length - off >= fixed; off += fixed) {
      write(body, off, ctx.header, setId, ctx.uptimeBase, v);
      const interval = v.interval;
      v.samplingRate = typeof interval === 'number' && interval > 0 ? interval : exporterRate;
      v.key = keyPrefix + off;
      direct.events.push(buildFlowEvent(v, direct.opts) as EcsEvent);
      this.counters.records++;
    }
  }

  private emit(
    ctx: SetContext,
    t: Template,
    setId: number,
    start: number,
    samplingKey: string,
    fields: Record<string, unknown>,
    out: FlowRecord[],
    events: EventOutput | undefined,
  ): void {
    const interval = (fields.sampling_interval ?? fields.samplingInterval ?? fields.samplingPacketInterval) as
      number | undefined;
    if (t.options && typeof interval === 'number' && interval > 0) this.sampling.set(samplingKey, interval);
    const rate =
      !t.options && typeof interval === 'number' && interval > 0 ? interval : (this.sampling.get(samplingKey) ?? 1);
    const record: FlowRecord = {
      protocol: ctx.protocol,
      exporter: ctx.exporter,
      domain: ctx.domain,
      exportMs: ctx.exportMs,
      options: t.options,
      samplingRate: rate,
      fields,
      key: `${ctx.keyPrefix}:${setId}:${start}`,
    };
    this.counters.records++;
    if (!events) out.push(record);
    else if (!t.options) events.events.push(flowToEcs(record, events.opts) as EcsEvent);
  }
}

function readerFor(t: Template, header: Record<string, unknown>): RecordReader {
  const keys = Object.keys(header).join(',');
  if (!t.reader || t.readerHeader !== keys) {
    t.reader = compileReader(t.fields, Object.keys(header));
    t.readerHeader = keys;
  }
  return t.reader;
}

/**
 * Generates the reader of a fixed-length template: one object literal with every
 * field at its constant offset. Objects of one template then share one shape, and
 * no per-field loop, length checks or keyed stores run per record (the generic
 * loop above was the largest cost of flow decoding). Names and values are exactly
 * those of the generic loop; names are embedded with JSON.stringify, never raw.
 */
function compileReader(fields: TemplateField[], headerKeys: string[]): RecordReader {
  const props = headerKeys.map((k) => `${JSON.stringify(k)}: h[${JSON.stringify(k)}]`);
  props.push('flowset_id: s');
  let at = 0;
  for (const f of fields) {
    if (f.len > 0) props.push(`${JSON.stringify(f.scopeName ?? f.def.name)}: ${valueExpr(f, at)}`);
    at += f.len;
  }
  const factory = new Function(
    'rv',
    'ip4',
    `return function read(b, o, h, s, ub) { return { ${props.join(', ')} }; };`,
  );
  return factory(readValue, ip4) as RecordReader;
}

function writerFor(t: Template, header: Record<string, unknown>): ValuesWriter {
  const keys = Object.keys(header).join(',');
  if (!t.writer || t.writerHeader !== keys) {
    t.writer = compileValuesWriter(t.fields, Object.keys(header));
    t.writerHeader = keys;
  }
  return t.writer;
}

/**
 * Generates the ECS-input writer of a fixed-length data template. Which field feeds
 * each input (FLOW_INPUTS: first name present wins) is settled here, once per
 * template, from the names the record object would have had — the header keys, then
 * the fields, a later field of the same name replacing an earlier one — so the writer
 * reads just those fields at their constant offsets. Values are those of the reader
 * (valueExpr); v9 uptime times also keep their epoch ms, so the duration needs no
 * parse of the ISO text.
 */
function compileValuesWriter(fields: TemplateField[], headerKeys: string[]): ValuesWriter {
  const source = new Map<string, string>(); // record field name → value expression
  const uptime = new Map<string, string>(); // name → ms expression, for v9 uptime fields
  for (const k of headerKeys) source.set(k, `h[${JSON.stringify(k)}]`);
  source.set('flowset_id', 's');
  let at = 0;
  for (const f of fields) {
    const name = f.scopeName ?? f.def.name;
    if (f.len > 0 && f.def.type === 'uptime' && f.len <= 8) {
      source.set(name, `iso(ub + ru(b, o + ${at}, ${f.len}))`);
      uptime.set(name, `ub + ru(b, o + ${at}, ${f.len})`);
    } else if (f.len > 0 && f.def.type === 'uptime') {
      // Reads as undefined, so the next name of the input's list is taken.
      source.delete(name);
      uptime.delete(name);
    } else if (f.len > 0) {
      source.set(name, valueExpr(f, at));
      uptime.delete(name);
    }
    at += f.len;
  }
  const lines: string[] = [];
  for (const [input, names] of Object.entries(FLOW_INPUTS)) {
    const name = (names as readonly string[]).find((n) => source.has(n));
    if (name && (input === 'start' || input === 'end') && uptime.has(name)) {
      lines.push(`v.${input}Ms = ${uptime.get(name)};`, `v.${input} = iso(v.${input}Ms);`);
      continue;
    }
    lines.push(`v.${input} = ${name ? source.get(name) : 'undefined'};`);
    if (input === 'start' || input === 'end') lines.push(`v.${input}Ms = NaN;`);
  }
  const factory = new Function(
    'rv',
    'ip4',
    'ru',
    'iso',
    `return function write(b, o, h, s, ub, v) {\n${lines.join('\n')}\n};`,
  );
  return factory(readValue, ip4, readUint, isoFromMs) as ValuesWriter;
}

function valueExpr(f: TemplateField, at: number): string {
  const pos = `o + ${at}`;
  if (f.def.type === 'uint' && f.len === 1) return `b[${pos}]`;
  if (f.def.type === 'uint' && f.len === 2) return `b.readUInt16BE(${pos})`;
  if (f.def.type === 'uint' && f.len === 4) return `b.readUInt32BE(${pos})`;
  if (f.def.type === 'uint' && f.len === 8) return `b.readUInt32BE(${pos}) * 4294967296 + b.readUInt32BE(${pos} + 4)`;
  if (f.def.type === 'ip4' && f.len === 4) return `ip4(b, ${pos})`;
  return `rv(b, ${pos}, ${f.len}, ${JSON.stringify(f.def.type)}, ub)`;
}

function isAllZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

export function templateField(version: 9 | 10, id: number, pen: number, len: number, scope?: boolean): TemplateField {
  const f: TemplateField = { id, pen, len, def: fieldDef(version, id, pen, len) };
  if (scope && version === 9) f.scopeName = V9_SCOPES[id] ?? `scope_field_${id}`;
  return f;
}

export function recordLength(fields: TemplateField[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.len === 65535) return -1;
    n += f.len;
  }
  return n;
}
