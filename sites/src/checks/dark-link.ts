/**
 * Dark links (暗链): links a visitor cannot see, pointing off the site's own domain. A finding
 * when the link carries a word of rules/sites/dark-link-keywords.yaml (high), or is hidden by a
 * technique no ordinary page uses on a link (off-screen, zero size, same colour, zero font,
 * marquee tricks, transparency, script-written and hidden) (medium). An off-site link that is
 * merely display:none without such a word (a collapsed menu) and every hidden link to the
 * site's own pages (skip links, mobile menus) are not findings.
 */
import { isOwnHost, linkHost } from '../domain';
import { findWords } from '../rules';
import type { HidingTechnique } from '../html/page';
import type { Finding } from '../types';
import type { CheckOutcome, SiteCheck } from './types';

const MENU_LIKE = new Set<HidingTechnique>(['display_none', 'visibility_hidden', 'hidden_attr', 'script_write']);

export const darkLinkCheck: SiteCheck = {
  name: 'dark-link',
  async run(ctx) {
    const site = new URL(ctx.site.url).hostname;
    const out: CheckOutcome[] = [];
    for (const url of ctx.keyPages) {
      const { page, fetch } = await ctx.page(url);
      if (!page) {
        out.push({ outcome: 'failure', findings: [], url, error: fetch.error ?? `HTTP ${fetch.status ?? '-'}` });
        continue;
      }
      const findings: Finding[] = [];
      for (const l of page.links) {
        const hiding = l.hidden.filter((t) => t !== 'script_write');
        if (!hiding.length) continue;
        const host = linkHost(l.href, new URL(url));
        if (!host || isOwnHost(host, site, ctx.site.ownDomains)) continue;
        const words = findWords(ctx.rules.darkLink, `${l.text} ${decodeURIComponentSafe(l.href)}`, 5);
        const strong = hiding.some((t) => !MENU_LIKE.has(t));
        if (!words.length && !strong) continue;
        findings.push(
          ctx.finding(
            'dark_link',
            words.length ? 'high' : 'medium',
            `${url}: hidden link (${l.hidden.join(', ')}) to ${host}${words.length ? ` with "${words.map((w) => w.word).join('", "')}"` : ''}`,
            l.href,
            {
              url,
              href: l.href,
              text: l.text.slice(0, 200),
              techniques: l.hidden,
              keywords: words.map((w) => w.word),
              categories: [...new Set(words.map((w) => w.category))],
            },
          ),
        );
        if (findings.length >= 50) break;
      }
      out.push({
        outcome: 'success',
        findings,
        url,
        measurements: { links: page.links.length, hidden_offsite: findings.length },
      });
    }
    return out;
  },
};

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
