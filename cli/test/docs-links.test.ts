/**
 * The newcomer's documents link only to files inside the repository, and every such file exists:
 * the root README, CONTRIBUTING.md and each package's README (a link like ../shared/… points at a
 * checkout the reader does not have).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'core/README.md',
  'collector/README.md',
  'analyzer/README.md',
  'cli/README.md',
  'console/server/README.md',
];

/** Targets of markdown links `[text](target)` that are not web addresses or anchors. */
function localLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1].split('#')[0]).filter((t) => t && !/^[a-z]+:/i.test(t));
}

describe('documents', () => {
  it.each(DOCS)('%s exists and links only to files inside the repository', (doc) => {
    const path = join(ROOT, doc);
    expect(existsSync(path)).toBe(true);
    const text = readFileSync(path, 'utf8');
    for (const link of localLinks(text)) {
      const target = resolve(dirname(path), link);
      expect({ link, inside: !relative(ROOT, target).startsWith('..') }).toEqual({ link, inside: true });
      expect({ link, exists: existsSync(target) }).toEqual({ link, exists: true });
    }
  });

  it.each(DOCS)('every file path %s names in backquotes exists (files get renamed)', (doc) => {
    const path = join(ROOT, doc);
    const text = readFileSync(path, 'utf8');
    // Whole paths only: from a top-level folder (repository root) or from src/ or test/ (the document's package).
    const paths = [...text.matchAll(/`([\w.-]+\/[\w./-]*\.(?:ts|vue|md|yml|js|json|apt|txt))`/g)].map((m) => m[1]);
    const missing = paths.filter((p) => {
      if (/^(core|collector|analyzer|cli|console|sites|rules|deploy|bench|sample)\//.test(p))
        return !existsSync(join(ROOT, p));
      if (/^(src|test)\//.test(p)) return !existsSync(join(dirname(path), p));
      return false;
    });
    expect(missing).toEqual([]);
    // The packet trace alone names a dozen files.
    if (doc === 'collector/README.md') expect(paths.length).toBeGreaterThan(10);
  });

  it('the root README links to every package README and to CONTRIBUTING.md', () => {
    const links = new Set(localLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')));
    for (const doc of DOCS.slice(1)) expect(links).toContain(doc);
  });
});
