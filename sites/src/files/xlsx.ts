/** The first worksheet of an .xlsx as rows of cell text (shared strings, inline strings, numbers). */
import { xmlText, zipRead } from './zip';

const CAP = 50 * 1024 * 1024;

function colIndex(ref: string): number {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function xlsxRows(buf: Buffer): { line: number; cells: string[] }[] {
  const shared: string[] = [];
  const ss = zipRead(buf, 'xl/sharedStrings.xml', CAP)?.toString('utf8') ?? '';
  for (const si of ss.match(/<si>[\s\S]*?<\/si>/g) ?? []) {
    shared.push(xmlText((si.match(/<t[^>]*>[\s\S]*?<\/t>/g) ?? []).map((t) => t.replace(/<[^>]+>/g, '')).join('')));
  }
  const sheet = zipRead(buf, 'xl/worksheets/sheet1.xml', CAP)?.toString('utf8');
  if (sheet === undefined) throw new Error('the workbook has no first worksheet (xl/worksheets/sheet1.xml)');
  const rows: { line: number; cells: string[] }[] = [];
  for (const row of sheet.match(/<row[^>]*>[\s\S]*?<\/row>|<row[^>]*\/>/g) ?? []) {
    const line = Number(/\br="(\d+)"/.exec(row)?.[1] ?? rows.length + 1);
    const cells: string[] = [];
    for (const c of row.match(/<c\b[^>]*(?:\/>|>[\s\S]*?<\/c>)/g) ?? []) {
      const ref = /\br="([A-Z]+\d+)"/.exec(c)?.[1];
      const type = /\bt="(\w+)"/.exec(c)?.[1];
      const v = /<v>([\s\S]*?)<\/v>/.exec(c)?.[1];
      let text = '';
      if (type === 's' && v !== undefined) text = shared[Number(v)] ?? '';
      else if (type === 'inlineStr')
        text = xmlText((/<t[^>]*>([\s\S]*?)<\/t>/.exec(c)?.[1] ?? '').replace(/<[^>]+>/g, ''));
      else if (v !== undefined) text = xmlText(v);
      cells[ref ? colIndex(ref) : cells.length] = text;
    }
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    if (cells.some((x) => x.trim() !== '')) rows.push({ line, cells });
  }
  return rows;
}

/** All cell text of every sheet, for the personal-data scan of an attachment. */
export function xlsxText(buf: Buffer, maxBytes: number): string {
  const parts: string[] = [];
  const ss = zipRead(buf, 'xl/sharedStrings.xml', maxBytes)?.toString('utf8') ?? '';
  parts.push(xmlText(ss.replace(/<[^>]+>/g, ' ')));
  for (let i = 1; i <= 20; i++) {
    const sheet = zipRead(buf, `xl/worksheets/sheet${i}.xml`, maxBytes)?.toString('utf8');
    if (sheet === undefined) break;
    parts.push(
      (sheet.match(/<v>[^<]*<\/v>|<t[^>]*>[^<]*<\/t>/g) ?? []).map((x) => xmlText(x.replace(/<[^>]+>/g, ''))).join(' '),
    );
  }
  return parts.join('\n');
}
