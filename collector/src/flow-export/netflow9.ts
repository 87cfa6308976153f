/** NetFlow v9 (RFC 3954), including options templates and vendor fields (Cisco NSEL, Huawei NetStream, H3C). */
import {
  recordLength,
  templateField,
  type EventOutput,
  type SetContext,
  type TemplateCache,
  type TemplateField,
} from './templates';
import { FlowDecodeError, type FlowProtocol, type FlowRecord } from './types';

export class Netflow9 implements FlowProtocol {
  readonly name = 'netflow9' as const;
  constructor(private readonly templates: TemplateCache) {}

  accepts(p: Buffer): boolean {
    return p.length >= 2 && p.readUInt16BE(0) === 9;
  }

  decode(p: Buffer, exporter: string, out: FlowRecord[], events?: EventOutput): void {
    if (p.length < 20) throw new FlowDecodeError(`NetFlow v9 header needs 20 bytes, got ${p.length}`);
    const uptime = p.readUInt32BE(4);
    const unixSecs = p.readUInt32BE(8);
    const seq = p.readUInt32BE(12);
    const sourceId = p.readUInt32BE(16);
    const ctx: SetContext = {
      protocol: 'netflow9',
      exporter,
      domain: sourceId,
      exportMs: unixSecs * 1000,
      uptimeBase: unixSecs * 1000 - uptime,
      header: { version: 9, flow_seq_num: seq },
      keyPrefix: `${unixSecs}:${seq}`,
    };
    let off = 20;
    while (off + 4 <= p.length) {
      const setId = p.readUInt16BE(off);
      const len = p.readUInt16BE(off + 2);
      if (len < 4) {
        // Zero padding after the last flowset (seen on Palo Alto) ends the packet; anything else is malformed.
        if (setId === 0 && len === 0) break;
        throw new FlowDecodeError(`NetFlow v9 flowset ${setId} at ${off} has length ${len}`);
      }
      if (off + len > p.length)
        throw new FlowDecodeError(
          `NetFlow v9 flowset ${setId} at ${off} runs past the packet (${len} > ${p.length - off})`,
        );
      const body = p.subarray(off + 4, off + len);
      const setCtx = { ...ctx, keyPrefix: `${ctx.keyPrefix}:${off}` };
      if (setId === 0) this.templatesIn(body, setCtx, out, events);
      else if (setId === 1) this.optionTemplatesIn(body, setCtx, out, events);
      else if (setId >= 256) this.templates.decodeSet(setCtx, setId, body, out, events);
      off += len;
    }
  }

  private templatesIn(b: Buffer, ctx: SetContext, out: FlowRecord[], events?: EventOutput): void {
    let o = 0;
    while (o + 4 <= b.length) {
      const id = b.readUInt16BE(o);
      const count = b.readUInt16BE(o + 2);
      o += 4;
      if (id < 256 || o + count * 4 > b.length) break;
      const fields: TemplateField[] = [];
      for (let i = 0; i < count; i++, o += 4)
        fields.push(templateField(9, b.readUInt16BE(o), 0, b.readUInt16BE(o + 2)));
      this.templates.add(
        ctx,
        { id, fields, options: false, recordLen: recordLength(fields), seenMs: Date.now() },
        out,
        events,
      );
    }
  }

  private optionTemplatesIn(b: Buffer, ctx: SetContext, out: FlowRecord[], events?: EventOutput): void {
    let o = 0;
    while (o + 6 <= b.length) {
      const id = b.readUInt16BE(o);
      const scopeLen = b.readUInt16BE(o + 2);
      const optLen = b.readUInt16BE(o + 4);
      o += 6;
      if (id < 256 || o + scopeLen + optLen > b.length) break;
      const fields: TemplateField[] = [];
      for (const end = o + scopeLen; o + 4 <= end; o += 4)
        fields.push(templateField(9, b.readUInt16BE(o), 0, b.readUInt16BE(o + 2), true));
      for (const end = o + optLen; o + 4 <= end; o += 4)
        fields.push(templateField(9, b.readUInt16BE(o), 0, b.readUInt16BE(o + 2)));
      this.templates.add(
        ctx,
        { id, fields, options: true, recordLen: recordLength(fields), seenMs: Date.now() },
        out,
        events,
      );
      // Options template records are padded to 4 bytes.
      while (o % 4 && o < b.length) o++;
    }
  }
}
