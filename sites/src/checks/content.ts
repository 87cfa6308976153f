/**
 * Tampering (网页篡改) and injected scripts (挂马) on every key page, against its baseline.
 * Signals and thresholds (sites/README.md explains them):
 *  - a defacer's signature newly in the title or text → tampered;
 *  - kept < 0.5 of the baseline's text blocks (digits ignored) and the title changed or the
 *    structure similarity < 0.5 → tampered ("most visible text replaced");
 *  - structure similarity < 0.3 and kept < 0.7 → tampered ("page replaced");
 *  - ≥ 2 baseline images, < half of them kept, and kept < 0.9 of the text → tampered ("images swapped");
 *  - a script or frame from a foreign domain that the baseline did not have → injected_script.
 * Anything else is an ordinary update: the baseline rolls forward. A tampered page leaves the
 * baseline as it was, and keeps what it saw as `pending` for accept-baseline.
 */
import { isOwnHost, linkHost } from '../domain';
import { normBlock, snapshotOf, type PageBaseline } from '../baseline';
import type { Finding } from '../types';
import type { CheckContext, CheckOutcome, SiteCheck } from './types';

type Snapshot = NonNullable<PageBaseline['pending']>;

function jaccard(a: string[], b: string[]): number {
  if (!a.length && !b.length) return 1;
  const sb = new Set(b);
  const inter = a.filter((x) => sb.has(x)).length;
  return inter / (a.length + b.length - inter);
}

function kept(base: string[], cur: string[]): number {
  if (!base.length) return 1;
  const sc = new Set(cur);
  return base.filter((x) => sc.has(x)).length / base.length;
}

export interface Comparison {
  keptText: number;
  structure: number;
  keptImages?: number;
  titleChanged: boolean;
  signature?: string;
  defaced?: string;
  added: string[];
  removed: string[];
}

export function compare(base: Snapshot, cur: Snapshot, signatures: RegExp[]): Comparison {
  const keptText = kept(base.textBlocks, cur.textBlocks);
  const structure = jaccard(base.structure, cur.structure);
  const keptImages = base.images.length >= 2 ? kept(base.images, cur.images) : undefined;
  const titleChanged = normBlock(base.title) !== normBlock(cur.title);
  const curText = [cur.title, ...cur.textBlocks].join('\n');
  const baseText = [base.title, ...base.textBlocks].join('\n');
  const sig = signatures.find((re) => re.test(curText) && !re.test(baseText));
  const signature = sig ? curText.match(sig)?.[0] : undefined;
  let defaced: string | undefined;
  if (signature) defaced = `defacement signature "${signature}"`;
  else if (keptText < 0.5 && (titleChanged || structure < 0.5)) defaced = 'most visible text replaced';
  else if (structure < 0.3 && keptText < 0.7) defaced = 'page replaced';
  else if (keptImages !== undefined && keptImages < 0.5 && keptText < 0.9) defaced = 'images swapped';
  const bs = new Set(base.textBlocks);
  const cs = new Set(cur.textBlocks);
  return {
    keptText,
    structure,
    keptImages,
    titleChanged,
    signature,
    defaced,
    added: cur.textBlocks.filter((x) => !bs.has(x)).slice(0, 20),
    removed: base.textBlocks.filter((x) => !cs.has(x)).slice(0, 20),
  };
}

async function checkPage(ctx: CheckContext, url: string): Promise<CheckOutcome> {
  const { fetch, page } = await ctx.page(url);
  if (!page) return { outcome: 'failure', findings: [], url, error: fetch.error ?? `HTTP ${fetch.status ?? '-'}` };
  const cur = snapshotOf(url, page);
  const now = ctx.now.toISOString();
  const base = ctx.baselines.get(ctx.site.id, url);
  if (!base) {
    ctx.baselines.put(ctx.site.id, { ...cur, recordedAt: now, changedAt: now });
    return { outcome: 'success', findings: [], url, measurements: { baseline: 'recorded' } };
  }
  const c = compare(base, cur, ctx.rules.signatures);
  const findings: Finding[] = [];
  if (c.defaced)
    findings.push(
      ctx.finding('tampered', 'critical', `${url}: ${c.defaced}`, url, {
        url,
        reason: c.defaced,
        before: { title: base.title },
        after: { title: cur.title },
        added: c.added,
        removed: c.removed,
        keptText: round(c.keptText),
        structure: round(c.structure),
      }),
    );
  const site = new URL(ctx.site.url).hostname;
  const known = new Set([...base.scripts, ...base.iframes]);
  for (const src of [...cur.scripts, ...cur.iframes]) {
    const host = linkHost(src, new URL(url));
    if (known.has(src) || !host || isOwnHost(host, site, ctx.site.ownDomains)) continue;
    findings.push(
      ctx.finding(
        'injected_script',
        'critical',
        `${url}: new ${cur.iframes.includes(src) ? 'frame' : 'script'} from ${host}: ${src}`,
        src,
        { url, src },
      ),
    );
    if (findings.length > 20) break;
  }
  if (findings.length) ctx.baselines.put(ctx.site.id, { ...base, pending: cur });
  else if (cur.digest !== base.digest) ctx.baselines.put(ctx.site.id, { ...cur, recordedAt: now, changedAt: now });
  else if (base.pending) ctx.baselines.put(ctx.site.id, { ...base, pending: undefined });
  return {
    outcome: 'success',
    findings,
    url,
    measurements: {
      baseline: findings.length ? 'kept' : cur.digest !== base.digest ? 'updated' : 'unchanged',
      kept_text: round(c.keptText),
      structure_similarity: round(c.structure),
    },
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export const contentCheck: SiteCheck = {
  name: 'content',
  async run(ctx) {
    const out: CheckOutcome[] = [];
    for (const url of ctx.keyPages) out.push(await checkPage(ctx, url));
    return out;
  },
};
