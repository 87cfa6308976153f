/**
 * Baselines of key pages in the data directory (<dataDir>/sites/baselines/<site>/<page>.json):
 * what a page looked like when it was last trusted. The first good fetch records it (trust on
 * first use); an ordinary update rolls it forward; a defacement leaves it until a person accepts
 * the new page (`sites baseline accept`, the console's button).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

/** Digits collapsed: a changed date or counter is not a changed block. */
export const normBlock = (s: string) => s.replace(/\d+/g, '#').toLowerCase();

export function shingles(tags: string[], k = 4): string[] {
  const out = new Set<string>();
  for (let i = 0; i + k <= tags.length; i++) out.add(h(tags.slice(i, i + k).join('>')).slice(0, 10));
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
  constructor(private dataDir: string) {}

  private dir(siteId: string): string {
    return join(this.dataDir, 'sites', 'baselines', siteId.replace(/[^\w.-]/g, '_'));
  }

  private file(siteId: string, url: string): string {
    return join(this.dir(siteId), `${h(url)}.json`);
  }

  get(siteId: string, url: string): PageBaseline | undefined {
    try {
      return JSON.parse(readFileSync(this.file(siteId, url), 'utf8')) as PageBaseline;
    } catch {
      return undefined;
    }
  }

  list(siteId: string): PageBaseline[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir(siteId)).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      try {
        return [JSON.parse(readFileSync(join(this.dir(siteId), n), 'utf8')) as PageBaseline];
      } catch {
        return [];
      }
    });
  }

  put(siteId: string, b: PageBaseline): void {
    const f = this.file(siteId, b.url);
    mkdirSync(this.dir(siteId), { recursive: true });
    writeFileSync(f + '.tmp', JSON.stringify(b));
    renameSync(f + '.tmp', f); // a reader never sees half a baseline
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
