/**
 * Text of a linked attachment, for the personal-data scan: txt/csv as UTF-8, xlsx and docx
 * through their XML parts, pdf through its (Flate) content streams' text operators. A file
 * that cannot be read yields no text, and says why.
 */
import { inflateSync } from 'node:zlib';
import { xlsxText } from './xlsx';
import { xmlText, zipRead } from './zip';

export const ATTACHMENT_TYPES = ['txt', 'csv', 'xlsx', 'docx', 'pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export function attachmentType(path: string): AttachmentType | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ATTACHMENT_TYPES as readonly string[]).includes(ext ?? '') ? (ext as AttachmentType) : undefined;
}

export function attachmentText(type: AttachmentType, body: Buffer, maxBytes: number): string {
  switch (type) {
    case 'txt':
    case 'csv':
      return body.toString('utf8');
    case 'xlsx':
      return xlsxText(body, maxBytes);
    case 'docx': {
      const xml = zipRead(body, 'word/document.xml', maxBytes)?.toString('utf8') ?? '';
      return xmlText(xml.replace(/<\/w:p>/g, '\n').replace(/<[^>]+>/g, ''));
    }
    case 'pdf':
      return pdfText(body, maxBytes);
  }
}

/** Strings shown by Tj/TJ in a PDF's content streams (plain or FlateDecode); no fonts, no CMaps. */
export function pdfText(body: Buffer, maxBytes: number): string {
  const out: string[] = [];
  const src = body.toString('latin1');
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  let budget = maxBytes;
  while ((m = re.exec(src)) && budget > 0) {
    const start = m.index + m[0].length;
    const end = src.indexOf('endstream', start);
    if (end < 0) break;
    const head = src.slice(Math.max(0, m.index - 200), m.index);
    let data = body.subarray(start, end);
    if (/FlateDecode/.test(head)) {
      try {
        data = inflateSync(data, { maxOutputLength: budget });
      } catch {
        continue;
      }
    }
    budget -= data.length;
    const text = data.toString('latin1');
    for (const t of text.match(/\((?:\\.|[^\\)])*\)\s*(?:Tj|'|")|\[(?:[^\]])*\]\s*TJ/g) ?? []) {
      out.push((t.match(/\((?:\\.|[^\\)])*\)/g) ?? []).map((s) => s.slice(1, -1).replace(/\\(.)/g, '$1')).join(''));
    }
    re.lastIndex = end;
  }
  return out.join('\n');
}
