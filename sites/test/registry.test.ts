/** Site sheets (CSV and .xlsx) into the registry: bad rows named by line and column and skipped, re-import updates by URL. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSheet, SiteRegistry } from '../src';
import { attachmentText } from '../src/files/text';
import { xlsx, docx } from './helpers/zip-writer';

const dir = mkdtempSync(join(tmpdir(), 'sites-reg-'));
const HEADER = 'org_id,name,url,key_pages,expected_dns,interval_sec,owner';

test('a CSV with bad rows: each named by line and column, the good rows kept', () => {
  const f = join(dir, 'a.csv');
  writeFileSync(
    f,
    [
      HEADER,
      'school-1,一中,https://www.yz.edu.cn/,/news /about,10.1.0.0/16,300,张老师 0531-1',
      'school-1,二中,ftp://files.ez.edu.cn/,,,300,',
      'school-2,"三中, 新校区",http://sz.edu.cn,,,300,"李 ""主任"""',
      'school-2,四中,http://4z.edu.cn,,not-an-ip,300,',
      'school-2,五中,http://5z.edu.cn,,,10,',
      ',六中,http://6z.edu.cn,,,,',
    ].join('\r\n'),
  );
  const r = readSheet(f);
  expect(r.sites.map((s) => s.name)).toEqual(['一中', '三中, 新校区']);
  expect(r.sites[0]).toMatchObject({
    url: 'https://www.yz.edu.cn/',
    keyPages: ['https://www.yz.edu.cn/news', 'https://www.yz.edu.cn/about'],
    expectedDns: ['10.1.0.0/16'],
    owner: '张老师 0531-1',
  });
  expect(r.sites[1]).toMatchObject({ url: 'http://sz.edu.cn/', owner: '李 "主任"', intervalSec: 300 });
  expect(r.problems).toEqual([
    { line: 3, column: 'url', message: expect.stringMatching(/only http and https/) },
    { line: 5, column: 'expected_dns', message: expect.stringMatching(/not-an-ip/) },
    { line: 6, column: 'interval_sec', message: expect.stringMatching(/at least 30/) },
    { line: 7, column: 'org_id', message: expect.stringMatching(/empty/) },
  ]);
  // --org fills an empty org_id.
  expect(readSheet(f, { defaultOrg: 'school-9' }).sites.map((s) => s.orgId)).toEqual([
    'school-1',
    'school-2',
    'school-9',
  ]);
});

test('a missing column is an error naming it', () => {
  const f = join(dir, 'b.csv');
  writeFileSync(f, 'org_id,name\nx,y\n');
  expect(() => readSheet(f)).toThrow(/lacks column\(s\) url, key_pages/);
});

test('re-import updates by URL, never duplicates', () => {
  const reg = new SiteRegistry(join(dir, 'reg.db'));
  const f = join(dir, 'c.csv');
  writeFileSync(f, `${HEADER}\nschool-1,一中,https://www.yz.edu.cn/,,,300,a\n`);
  for (const s of readSheet(f).sites) reg.upsert(s);
  const id = reg.list()[0].id;
  writeFileSync(
    f,
    `${HEADER}\nschool-1,一中(新),https://www.yz.edu.cn/,,,600,b\nschool-1,二中,https://ez.edu.cn/,,,300,\n`,
  );
  const created = readSheet(f).sites.map((s) => reg.upsert(s).created);
  expect(created).toEqual([false, true]);
  const sites = reg.list();
  expect(sites).toHaveLength(2);
  expect(sites.find((s) => s.id === id)).toMatchObject({ name: '一中(新)', intervalSec: 600, owner: 'b' });
  expect(reg.list(['school-2'])).toEqual([]);
  reg.close();
});

test('an .xlsx sheet reads like the CSV, with the sheet row numbers', () => {
  const f = join(dir, 'd.xlsx');
  writeFileSync(
    f,
    xlsx([
      HEADER.split(','),
      ['school-1', '一中', 'https://www.yz.edu.cn/', '', '', '300', ''],
      ['school-1', '坏', 'nope', '', '', '300', ''],
    ]),
  );
  const r = readSheet(f);
  expect(r.sites.map((s) => s.name)).toEqual(['一中']);
  expect(r.problems).toEqual([{ line: 3, column: 'url', message: expect.stringMatching(/not a URL/) }]);
});

test('attachment text: xlsx and docx through their XML, pdf through its text operators', () => {
  expect(
    attachmentText(
      'xlsx',
      xlsx([
        ['姓名', '身份证'],
        ['张三', '110105194912310021'],
      ]),
      1e6,
    ),
  ).toContain('110105194912310021');
  expect(attachmentText('docx', docx(['名单', '13812345678']), 1e6)).toContain('13812345678');
  const pdf = Buffer.from(
    '%PDF-1.4\n1 0 obj<</Length 30>>stream\nBT (phone 13812345678) Tj ET\nendstream endobj\n%%EOF',
    'latin1',
  );
  expect(attachmentText('pdf', pdf, 1e6)).toContain('13812345678');
});
