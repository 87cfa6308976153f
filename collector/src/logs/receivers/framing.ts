/**
 * RFC 6587 framing for syslog over TCP/TLS: octet counting ("LEN SP MSG") when a
 * frame starts with a digit, otherwise non-transparent framing (LF-terminated).
 * Frames longer than the size limit are cut and counted.
 */
export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  oversize = 0;
  invalid = 0;

  constructor(private readonly maxBytes: number) {}

  /** Appends received bytes; returns the complete messages. */
  push(chunk: Buffer): string[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[] = [];
    let o = 0;
    for (;;) {
      if (o >= this.buf.length) break;
      const c = this.buf[o];
      if (c === 0x0a || c === 0x0d || c === 0x20 || c === 0) {
        o++;
        continue;
      }
      if (c >= 0x31 && c <= 0x39) {
        const sp = this.buf.indexOf(0x20, o);
        if (sp < 0 || sp - o > 10) {
          if (sp < 0 && this.buf.length - o <= 10) break;
        } else {
          const len = Number(this.buf.toString('latin1', o, sp));
          if (Number.isInteger(len) && /^\d+$/.test(this.buf.toString('latin1', o, sp))) {
            if (sp + 1 + len > this.buf.length) {
              if (len > this.maxBytes * 4) {
                // An absurd length: treat as corrupt framing and fall back to newline framing.
                this.invalid++;
              } else break;
            } else {
              let msg = this.buf.subarray(sp + 1, sp + 1 + len);
              // Senders such as rsyslog count a trailing LF (or CRLF) into the frame: not part of the message.
              let end = msg.length;
              if (end && msg[end - 1] === 0x0a) end--;
              if (end && msg[end - 1] === 0x0d) end--;
              msg = msg.subarray(0, end);
              if (msg.length > this.maxBytes) {
                this.oversize++;
                msg = msg.subarray(0, this.maxBytes);
              }
              out.push(msg.toString('utf8'));
              o = sp + 1 + len;
              continue;
            }
          }
        }
      }
      const nl = this.buf.indexOf(0x0a, o);
      if (nl < 0) {
        if (this.buf.length - o > this.maxBytes) {
          this.oversize++;
          out.push(this.buf.toString('utf8', o, o + this.maxBytes));
          o = this.buf.length; // the rest of this over-long line is discarded up to its newline
          this.skipToNewline = true;
        }
        break;
      }
      if (this.skipToNewline) this.skipToNewline = false;
      else out.push(this.buf.toString('utf8', o, nl > o && this.buf[nl - 1] === 0x0d ? nl - 1 : nl));
      o = nl + 1;
    }
    this.buf = o >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(o);
    return out;
  }

  private skipToNewline = false;

  /** What is left when the connection closes (a last line without newline). */
  end(): string[] {
    const rest = this.buf.toString('utf8').trim();
    this.buf = Buffer.alloc(0);
    return rest && !this.skipToNewline ? [rest] : [];
  }
}
