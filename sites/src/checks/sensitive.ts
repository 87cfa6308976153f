/**
 * Sensitive content: words of the configured list (rules/sites/sensitive-words.yaml) and personal
 * data (valid GB 11643 resident ID numbers, mobile numbers) in key pages and in the attachments
 * they link to on the same site (txt, csv, xlsx, docx, pdf). Counts and masked samples only.
 */
import { linkHost } from '../domain';
import { attachmentText, attachmentType } from '../files/text';
import { findPersonalData } from '../pii';
import { findWords } from '../rules';
import type { Finding } from '../types';
import type { CheckOutcome, SiteCheck } from './types';

export const sensitiveCheck: SiteCheck = {
  name: 'sensitive',
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
      const words = findWords(ctx.rules.sensitive, `${page.title} ${page.allText}`);
      if (words.length)
        findings.push(
          ctx.finding(
            'sensitive_word',
            'medium',
            `${url}: sensitive words "${words.map((w) => w.word).join('", "')}"`,
            url,
            {
              url,
              words: words.map((w) => w.word),
              categories: [...new Set(words.map((w) => w.category))],
            },
          ),
        );
      const sources: { where: string; text: string }[] = [{ where: url, text: page.allText }];
      const attachments = [...new Set(page.links.map((l) => l.href))]
        .filter((href) => {
          const host = linkHost(href, new URL(url));
          return host && host === site && attachmentType(new URL(href).pathname);
        })
        .slice(0, ctx.config.maxAttachments);
      const unreadable: string[] = [];
      for (const href of attachments) {
        const r = await ctx.fetch(href);
        if (r.status !== 200) continue;
        try {
          sources.push({
            where: href,
            text: attachmentText(attachmentType(new URL(href).pathname)!, r.body, ctx.config.maxBytes),
          });
        } catch (e) {
          unreadable.push(`${href}: ${(e as Error).message}`);
        }
      }
      for (const s of sources) {
        const pd = findPersonalData(s.text);
        if (!pd.idNumbers && !pd.mobiles) continue;
        findings.push(
          ctx.finding(
            'personal_data',
            pd.idNumbers ? 'high' : 'medium',
            `${s.where}: ${pd.idNumbers} resident ID numbers, ${pd.mobiles} mobile numbers (e.g. ${pd.samples.join(', ')})`,
            s.where,
            { url: s.where, page: url, id_numbers: pd.idNumbers, mobiles: pd.mobiles, samples: pd.samples },
          ),
        );
      }
      out.push({
        outcome: 'success',
        findings,
        url,
        measurements: { attachments: attachments.length, unreadable: unreadable.length ? unreadable : undefined },
      });
    }
    return out;
  },
};
