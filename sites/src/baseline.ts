/**
 * Baselines of key pages in the data directory (<dataDir>/sites/baselines/<site>/<page>.json):
 * what a page looked like when it was last trusted. The first good fetch records it (trust on
 * first use); an ordinary update rolls it forward; a defacement leaves it until a person accepts
 * the new page (`sites baseline accept`, the console's button).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PageAnalysis } from './html/page';

export interface PageBaseline {
  url: string;
  title: string;
  textBlocks: string[];
  /** Tag-sequence shingles (hashes), for "page replaced". */
  structure: string[];
  scripts: string[];
  iframes: string[];
  images: string[];
  /** Hash of the normalised text and resources: what "changed" means for `stale`. */
  digest: string;
  recordedAt: string;
  /** Last time the page's digest changed (for `stale`). */
  changedAt: string;
  acceptedBy?: string;
  /** The page as last seen, when it differs from the baseline (what accept takes). */
  pending?: Omit<PageBaseline, 'pending' | 'recordedAt' | 'changedAt' | 'acceptedBy'>;
}

const h = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 16);

/** FNV-1a (32 bits): shingles are many and short, a cryptographic hash for each is wasted work. */
function fnv(s: string): string {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 0x01000193);
  return (x >>> 0).toString(36);
}

/** Digits collapsed: a changed date or counter is not a changed block. */
export const normBlock = (s: string) => s.replace(/\d+/g, '#').toLowerCase();

export function shingles(tags: string[], k = 4): string[] {
  const out = new Set<string>();
  for (let i = 0; i + k <= tags.length; i++) out.add(fnv(tags.slice(i, i + k).join('>')));
  return [...out].slice(0, 5000);
}

export function snapshotOf(url: string, p: PageAnalysis): NonNullable<PageBaseline['pending']> {
  const textBlocks = [...new Set(p.textBlocks.map(normBlock))].slice(0, 2000);
  const scripts = [...new Set(p.scripts)].sort();
  const iframes = [...new Set(p.iframes)].sort();
  const images = [...new Set(p.images)].sort();
  return {
    url,
    title: p.title,
    textBlocks,
    structure: shingles(p.structure),
    scripts,
    iframes,
    images,
    digest: h(JSON.stringify([p.title, textBlocks, scripts, iframes, images])),
  };
}

export class BaselineStore {
  /** Parsed baselines by file, valid while the file's mtime is unchanged (the console may accept one). */
  private cache = new Map<string, { mtimeMs: number; b: PageBaseline }>();

  constructor(private dataDir: string) {}

  private read(file: string): PageBaseline | undefined {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      this.cache.delete(file);
      return undefined;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.b;
    try {
      const b = JSON.parse(readFileSync(file, 'utf8')) as PageBaseline;
      this.cache.set(file, { mtimeMs, b });
      return b;
    } catch {
      return undefined;
    }
  }

  private dir(siteId: string): string {
    return join(this.dataDir, 'sites', 'baselines', siteId.replace(/[^\w.-]/g, '_'));
  }

  private file(siteId: string, url: string): string {
    return join(this.dir(siteId), `${h(url)}.json`);
  }

  get(siteId: string, url: string): PageBaseline | undefined {
    return this.read(this.file(siteId, url));
  }

  list(siteId: string): PageBaseline[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir(siteId)).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      const b = this.read(join(this.dir(siteId), n));
      return b ? [b] : [];
    });
  }

  put(siteId: string, b: PageBaseline): void {
    const f = this.file(siteId, b.url);
    mkdirSync(this.dir(siteId), { recursive: true });
    writeFileSync(f + '.tmp', JSON.stringify(b));
    renameSync(f + '.tmp', f); // a reader never sees half a baseline
    this.cache.set(f, { mtimeMs: statSync(f).mtimeMs, b });
  }

  /** Makes the last seen version of every key page of the site its baseline; returns the pages accepted. */
  accept(siteId: string, actor: string): string[] {
    const accepted: string[] = [];
    for (const b of this.list(siteId)) {
      if (!b.pending) continue;
      const now = new Date().toISOString();
      this.put(siteId, { ...b.pending, recordedAt: now, changedAt: now, acceptedBy: actor });
      accepted.push(b.url);
    }
    return accepted;
  }

  remove(siteId: string): void {
    rmSync(this.dir(siteId), { recursive: true, force: true });
  }
}
