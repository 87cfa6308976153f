/** IPFIX (RFC 7011): templates and options templates per observation domain, enterprise and variable-length fields. */
import {
  recordLength,
  templateField,
  type EventOutput,
  type SetContext,
  type TemplateCache,
  type TemplateField,
} from './templates';
import { FlowDecodeError, type FlowProtocol, type FlowRecord } from './types';

export class Ipfix implements FlowProtocol {
  readonly name = 'ipfix' as const;
  constructor(private readonly templates: TemplateCache) {}

  accepts(p: Buffer): boolean {
    return p.length >= 2 && p.readUInt16BE(0) === 10;
  }

  decode(p: Buffer, exporter: string, out: FlowRecord[], events?: EventOutput): void {
    if (p.length < 16) throw new FlowDecodeError(`IPFIX header needs 16 bytes, got ${p.length}`);
    const msgLen = p.readUInt16BE(2);
    if (msgLen < 16 || msgLen > p.length)
      throw new FlowDecodeError(`IPFIX message length ${msgLen} does not fit the ${p.length}-byte datagram`);
    const exportSecs = p.readUInt32BE(4);
    const seq = p.readUInt32BE(8);
    const domain = p.readUInt32BE(12);
    const ctx: SetContext = {
      protocol: 'ipfix',
      exporter,
      domain,
      exportMs: exportSecs * 1000,
      uptimeBase: exportSecs * 1000,
      header: { version: 10 },
      keyPrefix: `${exportSecs}:${seq}`,
    };
    let off = 16;
    while (off + 4 <= msgLen) {
      const setId = p.readUInt16BE(off);
      const len = p.readUInt16BE(off + 2);
      if (len < 4 || off + len > msgLen)
        throw new FlowDecodeError(`IPFIX set ${setId} at ${off} has length ${len} (message ${msgLen})`);
      const body = p.subarray(off + 4, off + len);
      const setCtx = { ...ctx, keyPrefix: `${ctx.keyPrefix}:${off}` };
      if (setId === 2) this.templatesIn(body, setCtx, out, false, events);
      else if (setId === 3) this.templatesIn(body, setCtx, out, true, events);
      else if (setId >= 256) this.templates.decodeSet(setCtx, setId, body, out, events);
      off += len;
    }
  }

  private templatesIn(b: Buffer, ctx: SetContext, out: FlowRecord[], options: boolean, events?: EventOutput): void {
    let o = 0;
    while (o + 4 <= b.length) {
      const id = b.readUInt16BE(o);
      const count = b.readUInt16BE(o + 2);
      o += 4;
      let scopeCount = 0;
      if (options && count > 0) {
        if (o + 2 > b.length) break;
        scopeCount = b.readUInt16BE(o);
        o += 2;
      }
      if (id < 256) break; // padding
      const fields: TemplateField[] = [];
      for (let i = 0; i < count; i++) {
        if (o + 4 > b.length) throw new FlowDecodeError(`IPFIX template ${id} is cut short`);
        let ie = b.readUInt16BE(o);
        const len = b.readUInt16BE(o + 2);
        o += 4;
        let pen = 0;
        if (ie & 0x8000) {
          if (o + 4 > b.length) throw new FlowDecodeError(`IPFIX template ${id} is cut short`);
          ie &= 0x7fff;
          pen = b.readUInt32BE(o);
          o += 4;
        }
        fields.push(templateField(10, ie, pen, len, i < scopeCount));
      }
      this.templates.add(
        ctx,
        { id, fields, options, recordLen: recordLength(fields), seenMs: Date.now() },
        out,
        events,
      );
    }
  }
}
