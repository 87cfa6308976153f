/**
 * `edusentry mlps status`: every 等保 2.0 item of one organisation and level with its status and
 * evidence (analyzer/src/mlps). The report, the evidence pack and verify-pack are not built yet.
 */
import { mlpsStatus, STATUS_LABEL, type MlpsLevel } from '@edusentry/analyzer';
import { EduError, subtreeIds } from '@edusentry/core';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import { organizationsOf } from '../config';

const DAY = 86_400_000;

function period(from?: string, to?: string): { fromMs: number; toMs: number } {
  const toMs = to ? Date.parse(to) : Date.now();
  const fromMs = from ? Date.parse(from) : toMs - 90 * DAY;
  if (!Number.isFinite(toMs)) throw new EduError('EDU_ERR_USAGE', `--to must be a date (e.g. 2026-12-31), not "${to}"`);
  if (!Number.isFinite(fromMs))
    throw new EduError('EDU_ERR_USAGE', `--from must be a date (e.g. 2026-10-01), not "${from}"`);
  if (fromMs >= toMs) throw new EduError('EDU_ERR_USAGE', '--from must be before --to');
  return { fromMs, toMs };
}

export function register(program: Command): void {
  const mlps = parent(program, 'mlps', '等保 2.0 (GB/T 22239-2019): status and evidence per item');

  leaf<{ org?: string; level?: string; from?: string; to?: string; json?: boolean; slaHours: string }>(
    mlps,
    'status',
    'print every item of the level for the organisation: clause, item, title, status, evidence, computedAt',
    async (ctx, _a, opts) => {
      if (!opts.org) throw new EduError('EDU_ERR_USAGE', '--org is required (an organisation id)');
      if (opts.level !== '2' && opts.level !== '3')
        throw new EduError('EDU_ERR_USAGE', `--level must be 2 or 3, not "${opts.level ?? ''}"`);
      const orgs = organizationsOf(ctx.config);
      if (!orgs.some((o) => o.id === opts.org))
        throw new EduError('EDU_ERR_NOT_FOUND', `--org: no organisation "${opts.org}" in the tree`);
      const slaHours = Number(opts.slaHours);
      if (!(slaHours > 0))
        throw new EduError('EDU_ERR_USAGE', `--sla-hours must be a positive number, not "${opts.slaHours}"`);
      const { items } = await mlpsStatus(Number(opts.level) as MlpsLevel, {
        store: await ctx.store(),
        orgIds: subtreeIds(orgs, opts.org),
        ...period(opts.from, opts.to),
        providers: {},
        slaHours,
      });
      if (opts.json) {
        for (const i of items)
          process.stdout.write(
            JSON.stringify({
              clause: i.clause,
              item: i.item,
              title: i.title,
              status: i.status,
              evidence: i.evidence,
              computedAt: i.computedAt,
            }) + '\n',
          );
        return 0;
      }
      const lines = items.map(
        (i) =>
          `${`${i.clause}.${i.item}`.padEnd(12)} ${STATUS_LABEL[i.status].padEnd(6, '　')} ${i.title}${i.evidence.length ? `\n${''.padEnd(13)}${i.evidence.map((e) => `${e.source}: ${e.summary}`).join('；')}` : ''}`,
      );
      const counts = new Map<string, number>();
      for (const i of items) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
      lines.push('', [...counts].map(([s, n]) => `${STATUS_LABEL[s as keyof typeof STATUS_LABEL]} ${n}`).join('  '));
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    },
  )
    .option('--org <id>', 'organisation id (its subtree is included)')
    .option('--level <2|3>', 'protection level')
    .option('--from <date>', 'period start (default: 90 days before --to)')
    .option('--to <date>', 'period end (default: now)')
    .option('--sla-hours <h>', 'alerts must be triaged within this many hours', '24')
    .option('--json', 'one JSON object per item: { clause, item, title, status, evidence, computedAt }');
}
