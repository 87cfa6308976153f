/**
 * Site sheets (CSV or .xlsx) → validated site inputs. Header row
 * `org_id,name,url,key_pages,expected_dns,interval_sec,owner` (any order; `own_cidrs`,
 * `own_domains`, `enabled` optional). A bad row is reported with its line and column and
 * skipped; the good rows beside it are kept.
 */
import { readFileSync } from 'node:fs';
import { EduError } from '@edusentry/core';
import { parseCsv, type CsvRow } from './csv';
import { isAddressSpec } from './domain';
import { xlsxRows } from './files/xlsx';
import type { SiteInput } from './registry';

export const REQUIRED_COLUMNS = ['org_id', 'name', 'url', 'key_pages', 'expected_dns', 'interval_sec', 'owner'];
const OPTIONAL_COLUMNS = ['own_cidrs', 'own_domains', 'enabled', 'id'];

export interface RowProblem {
  line: number;
  column: string;
  message: string;
}

export interface SheetResult {
  sites: (SiteInput & { line: number })[];
  problems: RowProblem[];
}

export function readSheet(file: string, opts: { defaultOrg?: string; defaultIntervalSec?: number } = {}): SheetResult {
  let rows: CsvRow[];
  try {
    rows = /\.xlsx$/i.test(file) ? xlsxRows(readFileSync(file)) : parseCsv(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EduError('EDU_ERR_USAGE', `${file}: cannot read the site sheet: ${(e as Error).message}`);
  }
  return parseSheet(rows, file, opts);
}

function splitList(v: string): string[] {
  return v.split(/[\s;]+/).filter(Boolean);
}

export function parseSheet(
  rows: CsvRow[],
  file: string,
  opts: { defaultOrg?: string; defaultIntervalSec?: number } = {},
): SheetResult {
  if (!rows.length) throw new EduError('EDU_ERR_USAGE', `${file}: the sheet is empty (expected a header row)`);
  const header = rows[0].cells.map((c) => c.trim().toLowerCase());
  const col = new Map(header.map((h, i) => [h, i]));
  const missing = REQUIRED_COLUMNS.filter((c) => !col.has(c) && !(c === 'org_id' && opts.defaultOrg));
  if (missing.length)
    throw new EduError(
      'EDU_ERR_USAGE',
      `${file}: header row lacks column(s) ${missing.join(', ')} (expected ${REQUIRED_COLUMNS.join(',')})`,
    );
  const unknown = header.filter((h) => h && !REQUIRED_COLUMNS.includes(h) && !OPTIONAL_COLUMNS.includes(h));
  const problems: RowProblem[] = unknown.map((h) => ({
    line: rows[0].line,
    column: h,
    message: 'unknown column, ignored',
  }));
  const sites: SheetResult['sites'] = [];
  const seen = new Map<string, number>();
  for (const row of rows.slice(1)) {
    const get = (c: string) => (col.has(c) ? (row.cells[col.get(c)!] ?? '').trim() : '');
    const bad = (column: string, message: string) => problems.push({ line: row.line, column, message });
    const orgId = get('org_id') || opts.defaultOrg || '';
    if (!orgId) {
      bad('org_id', 'empty (give one per row or --org)');
      continue;
    }
    const name = get('name');
    if (!name) {
      bad('name', 'empty');
      continue;
    }
    const url = checkUrl(get('url'));
    if (typeof url !== 'string') {
      bad('url', url.error);
      continue;
    }
    const keyPages: string[] = [];
    let pageError: string | undefined;
    for (const p of splitList(get('key_pages'))) {
      const u = checkUrl(p, url);
      if (typeof u !== 'string') pageError = `"${p}": ${u.error}`;
      else if (!keyPages.includes(u) && u !== url) keyPages.push(u);
    }
    if (pageError) {
      bad('key_pages', pageError);
      continue;
    }
    const expectedDns = splitList(get('expected_dns'));
    const badDns = expectedDns.find((d) => !isAddressSpec(d));
    if (badDns) {
      bad('expected_dns', `"${badDns}" is neither an address nor a CIDR`);
      continue;
    }
    const ownCidrs = splitList(get('own_cidrs'));
    const badCidr = ownCidrs.find((d) => !isAddressSpec(d));
    if (badCidr) {
      bad('own_cidrs', `"${badCidr}" is neither an address nor a CIDR`);
      continue;
    }
    const intervalText = get('interval_sec');
    const intervalSec = intervalText === '' ? (opts.defaultIntervalSec ?? 300) : Number(intervalText);
    if (!Number.isInteger(intervalSec) || intervalSec < 30) {
      bad('interval_sec', `"${intervalText}" must be a whole number of seconds, at least 30`);
      continue;
    }
    const enabledText = get('enabled').toLowerCase();
    if (enabledText && !['true', 'false', '1', '0', 'yes', 'no'].includes(enabledText)) {
      bad('enabled', `"${enabledText}" must be true or false`);
      continue;
    }
    if (seen.has(url)) {
      bad('url', `same URL as line ${seen.get(url)}; the later row wins`);
      const i = sites.findIndex((s) => s.url === url);
      sites.splice(i, 1);
    }
    seen.set(url, row.line);
    sites.push({
      line: row.line,
      id: get('id') || undefined,
      orgId,
      name,
      url,
      keyPages,
      owner: get('owner'),
      intervalSec,
      expectedDns,
      ownCidrs,
      ownDomains: splitList(get('own_domains')).map((d) => d.toLowerCase()),
      enabled: !['false', '0', 'no'].includes(enabledText),
    });
  }
  return { sites, problems };
}

/** An absolute http(s) URL (relative ones against `base`), normalised; or why not. */
export function checkUrl(text: string, base?: string): string | { error: string } {
  if (!text) return { error: 'empty' };
  let u: URL;
  try {
    u = new URL(text, base);
  } catch {
    return { error: `"${text}" is not a URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { error: `"${text}": only http and https are monitored` };
  if (u.username || u.password) return { error: `"${text}": credentials in a URL are not accepted` };
  return u.toString();
}
