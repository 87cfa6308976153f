/**
 * Notice attachments: the type is sniffed from the bytes (the uploader's name and
 * Content-Type are not believed), only images, PDF, office documents and plain text
 * are kept, and files are stored once by sha256 under <data dir>/notice-attachments.
 * Markup (HTML, SVG, XML) is refused whatever it is called, and everything is served
 * as a download with nosniff, so nothing uploaded is ever rendered by the browser.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const OOXML: Record<string, string> = {
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
};
const OLE: Record<string, string> = {
  '.doc': 'application/msword',
  '.xls': 'application/vnd.ms-excel',
  '.ppt': 'application/vnd.ms-powerpoint',
};

const starts = (b: Buffer, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);

/** The media type of the bytes, or null when it is not one we keep. */
export function sniff(bytes: Buffer, name: string): string | null {
  const ext = extname(name).toLowerCase();
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (
    bytes
      .subarray(0, 6)
      .toString('latin1')
      .match(/^GIF8[79]a$/)
  )
    return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04])) return OOXML[ext] ?? 'application/zip';
  if (starts(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return OLE[ext] ?? 'application/x-ole-storage';
  return isPlainText(bytes) ? 'text/plain; charset=utf-8' : null;
}

/** UTF-8 without control bytes, and no markup a browser could take for a page or an image. */
function isPlainText(bytes: Buffer): boolean {
  if (!bytes.length) return false;
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) return false;
  if (bytes.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) return false;
  return !/<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|img|a\s|style|div)/i.test(text);
}

export class AttachmentStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Stores the bytes once (by content); returns their sha256. */
  put(bytes: Buffer): string {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes, { mode: 0o600 });
      renameSync(tmp, path);
    }
    return sha256;
  }

  get(sha256: string): Buffer {
    return readFileSync(this.pathOf(sha256));
  }
}

/** An uploaded file's name without path separators or control characters. */
export function safeName(name: string): string {
  const clean = [...name].map((c) => (c < ' ' || c === '/' || c === '\\' || c === '\x7f' ? '_' : c)).join('');
  return clean.slice(-200) || 'file';
}

/** A Content-Disposition for a download, with the UTF-8 name (RFC 6266/5987) and an ASCII fallback. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
