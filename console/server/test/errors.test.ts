/**
 * The error catalogue both ways, read from the catalogue itself (core's ERROR_CATALOGUE and the
 * console's CONSOLE_ERRORS), never from a list kept here: every code the source of any package
 * uses is in the catalogue, every catalogued code is used by some source and every console code
 * is in API.md's error table; the table names no code the catalogue lacks, and the web app
 * translates none either.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE } from '@edusentry/core';
import { ALL_ERRORS, CONSOLE_ERRORS } from '../src';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' || f === '__tests__' ? [] : sources(p);
    return /\.(ts|vue)$/.test(p) && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The src/ folder of every workspace package (pnpm-workspace.yaml), so new packages are covered too. */
function packageSources(): Map<string, string[]> {
  const globs = [...readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8').matchAll(/^\s*-\s*['"]?([^'"\s]+)/gm)];
  const out = new Map<string, string[]>();
  for (const [, pkg] of globs) {
    const src = join(ROOT, pkg, 'src');
    if (existsSync(src)) out.set(pkg, sources(src));
  }
  return out;
}

/** Codes written as string literals ('EDU_ERR_X', "EDU_ERR_X" or `EDU_ERR_X`); catalogue keys are bare. */
function codesIn(files: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const f of files)
    for (const m of readFileSync(f, 'utf8').matchAll(/['"`](EDU_ERR_[A-Z0-9_]+)['"`]/g))
      if (!found.has(m[1])) found.set(m[1], f);
  return found;
}

const packages = packageSources();
const web = packages.get('console/web') ?? [];
const used = codesIn([...packages].filter(([pkg]) => pkg !== 'console/web').flatMap(([, files]) => files));
const apiMd = readFileSync(join(__dirname, '..', 'API.md'), 'utf8');
const apiTable = new Set(
  [...apiMd.slice(apiMd.indexOf('## Error codes')).matchAll(/^\|\s*(`EDU_ERR_[^|]+)\|/gm)].flatMap((m) =>
    [...m[1].matchAll(/`(EDU_ERR_[A-Z0-9_]+)`/g)].map((c) => c[1]),
  ),
);

describe('error catalogue', () => {
  it('reads the source of the product packages', () => {
    for (const pkg of ['core', 'collector', 'analyzer', 'cli', 'console/server'])
      expect(packages.get(pkg)?.length).toBeGreaterThan(0);
    expect(used.size).toBeGreaterThan(10);
    expect(apiTable.size).toBeGreaterThan(10);
  });

  it('every code the source uses is in the catalogue, with a status and a doc line', () => {
    const unknown = [...used].filter(([code]) => !ALL_ERRORS[code]).map(([code, file]) => `${code} (${file})`);
    expect(unknown).toEqual([]);
    for (const code of used.keys()) {
      expect(ALL_ERRORS[code].doc.length).toBeGreaterThan(10);
      expect(ALL_ERRORS[code].status).toBeGreaterThanOrEqual(400);
    }
  });

  it('every catalogued code is used by some source', () => {
    expect(Object.keys(ALL_ERRORS).filter((code) => !used.has(code))).toEqual([]);
  });

  it("every console code is in API.md's error table, which names only catalogued codes", () => {
    expect(Object.keys(CONSOLE_ERRORS).filter((code) => !apiTable.has(code))).toEqual([]);
    expect([...apiTable].filter((code) => !ALL_ERRORS[code])).toEqual([]);
  });

  it('the web app translates only catalogued codes', () => {
    expect(web.length).toBeGreaterThan(0);
    const translated = new Set(
      web.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^\s*(EDU_ERR_[A-Z0-9_]+):/gm)].map((m) => m[1])),
    );
    expect(translated.size).toBeGreaterThan(5);
    expect([...translated].filter((code) => !ALL_ERRORS[code])).toEqual([]);
  });

  it("core's catalogue and the console's do not define a code twice", () => {
    expect(Object.keys(CONSOLE_ERRORS).filter((code) => code in ERROR_CATALOGUE)).toEqual([]);
  });
});
