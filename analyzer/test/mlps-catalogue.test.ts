/** The 等保 catalogue as data: its schema, its clause coverage, and the djbh tags of the shipped Sigma rules. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlpsDir, sigmaDir } from '@edusentry/rules';
import { loadCatalogue, parseClauseTag, unknownClauseTags } from '../src/mlps/catalogue';
import { parseRuleFiles } from '../src/sigma/load';

const FAMILIES = [
  '安全物理环境',
  '安全通信网络',
  '安全区域边界',
  '安全计算环境',
  '安全管理中心',
  '安全管理制度',
  '安全管理机构',
  '安全管理人员',
  '安全建设管理',
  '安全运维管理',
];
// Control points per family in GB/T 22239-2019 (level 3: 8.1.1 … 8.1.10; level 2: 7.1.1 … 7.1.10).
const CONTROL_POINTS = { 3: [10, 3, 6, 11, 4, 4, 5, 4, 10, 14], 2: [10, 3, 6, 10, 2, 4, 5, 4, 10, 14] } as const;

const shipped = parseRuleFiles([sigmaDir]).documents.filter((d) => d.kind === 'rule' || d.kind === 'correlation');

describe.each([3, 2] as const)('level %i catalogue', (level) => {
  const cat = loadCatalogue(level);
  const chapter = level === 3 ? '8.1' : '7.1';

  it('has the ten families in the standard order, numbered within its chapter', () => {
    expect(cat.chapter).toBe(chapter);
    expect(cat.families.map((f) => f.title)).toEqual(FAMILIES);
    expect(cat.families.map((f) => f.clause)).toEqual(FAMILIES.map((_, i) => `${chapter}.${i + 1}`));
  });

  it('numbers every family’s control points 1 … n without gaps, items a, b, c … without gaps', () => {
    cat.families.forEach((f, i) => {
      const points = [...new Set(cat.items.filter((it) => it.family === f.clause).map((it) => it.clause))];
      expect(points).toEqual(Array.from({ length: CONTROL_POINTS[level][i] }, (_, k) => `${f.clause}.${k + 1}`));
      for (const p of points) {
        const letters = cat.items.filter((it) => it.clause === p).map((it) => it.item);
        expect(letters).toEqual([...'abcdefghij'].slice(0, letters.length));
      }
    });
  });

  it('names the controls the level-protection rules and checks depend on', () => {
    const title = (c: string) => cat.items.find((i) => i.clause === c)?.controlTitle;
    const p = chapter;
    expect([title(`${p}.2.2`), title(`${p}.3.1`), title(`${p}.3.3`), title(`${p}.3.5`), title(`${p}.4.1`)]).toEqual([
      '通信传输',
      '边界防护',
      '入侵防范',
      '安全审计',
      '身份鉴别',
    ]);
    if (level === 3) expect([title('8.1.4.9'), title('8.1.5.4')]).toEqual(['数据备份恢复', '集中管控']);
    else expect(title('7.1.4.8')).toBe('数据备份恢复');
  });

  it('gives every item a summary and either evidence sources or manual, and some are automated', () => {
    for (const i of cat.items) {
      expect(i.summary.length).toBeGreaterThan(4);
      expect(i.manual).toBe(i.evidence.length === 0);
      expect(parseClauseTag(i.tag)).toEqual({ level, clause: i.clause, item: i.item });
    }
    expect(cat.items.filter((i) => !i.manual).length).toBeGreaterThan(20);
  });

  it('has at least one shipped Sigma rule for every item that names sigma as evidence', () => {
    const tagged = new Set(shipped.flatMap((d) => d.meta.tags.map((t) => t.toLowerCase())));
    const missing = cat.items.filter((i) => i.evidence.includes('sigma') && !tagged.has(i.tag)).map((i) => i.tag);
    expect(missing).toEqual([]);
  });
});

describe('djbh tags on the shipped Sigma rules', () => {
  it('every shipped rule and correlation carries at least one djbh tag', () => {
    expect(shipped.length).toBeGreaterThan(150);
    const untagged = shipped
      .filter((d) => !d.meta.tags.some((t) => parseClauseTag(t)))
      .map((d) => `${d.source.file}: ${d.meta.title}`);
    expect(untagged).toEqual([]);
  });

  it('no shipped rule names a clause the catalogue does not have', () => {
    expect(unknownClauseTags(shipped)).toEqual([]);
  });

  it('reports a tag naming no item, a malformed one, and ignores other namespaces', () => {
    const doc = (tags: string[]) => ({ meta: { title: 'T', tags }, source: { file: 'x.yml', line: 1 } });
    const bad = unknownClauseTags([
      doc(['attack.t1046', 'djbh.l3.8.1.3.3.a', 'djbh.l3.8.1.3.9.a', 'djbh.l2.8.1.3.3.a', 'djbh.bogus']),
    ]);
    expect(bad.map((b) => b.tag)).toEqual(['djbh.l3.8.1.3.9.a', 'djbh.l2.8.1.3.3.a', 'djbh.bogus']);
  });
});

describe('catalogue validation', () => {
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlps-cat-'));
    for (const f of ['evidence.yml', 'level-2.yml', 'level-3.yml'])
      copyFileSync(join(mlpsDir, 'catalogue', f), join(dir, f));
    return dir;
  };
  it('refuses an unknown evidence source, naming the item and the source', () => {
    const dir = copy();
    const f = join(dir, 'level-3.yml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('evidence: [check.backups]\n', 'evidence: [check.bakups]\n'));
    expect(() => loadCatalogue(3, dir)).toThrow(/8\.1\.4\.9\.a: unknown evidence source check\.bakups/);
  });
  it('refuses a control point outside its family and a bad item letter', () => {
    const dir = copy();
    const f = join(dir, 'level-2.yml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('clause: 7.1.3.4', 'clause: 7.1.4.4'));
    expect(() => loadCatalogue(2, dir)).toThrow(/7\.1\.4\.4 is outside 7\.1\.3/);
    const g = join(copy(), 'level-3.yml');
    writeFileSync(
      g,
      readFileSync(g, 'utf8').replace(
        '          a:\n            summary: 机房场地',
        '          A1:\n            summary: 机房场地',
      ),
    );
    expect(() => loadCatalogue(3, join(g, '..'))).toThrow(/families\.0\.controls\.0\.items\.A1.*item letter/);
  });
});
