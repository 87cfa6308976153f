/** `edusentry store init|stats|query`: the event store by hand. */
import { isDataset, ProgressBar, type Dataset, type Filter, type SearchQuery } from '@edusentry/core';
import { EduError } from '@edusentry/core';
import type { Command } from 'commander';
import { leaf, parent } from '../command';

export function register(program: Command): void {
  const store = parent(program, 'store', 'manage the event store (embedded SQLite or Elasticsearch/OpenSearch)');

  leaf<{ retentionDays?: string }>(
    store,
    'init',
    'create schema, index templates, ingest pipeline and retention policy',
    async (ctx, _a, opts) => {
      const s = await ctx.store();
      const retentionDays = opts.retentionDays ? Number(opts.retentionDays) : ctx.config.store.retentionDays;
      if (!Number.isInteger(retentionDays) || retentionDays < 1)
        throw new EduError('EDU_ERR_USAGE', `--retention-days must be a positive integer, not "${opts.retentionDays}"`);
      const progress = new ProgressBar();
      await s.init({
        retentionDays,
        onProgress: (done, total, step) => progress.update('store init', done, total, step),
      });
      progress.clear();
      process.stdout.write(`store initialised: ${s.kind} (retention ${retentionDays} days)\n`);
    },
  ).option('--retention-days <days>', 'keep events this many days (default from config: 180)');

  leaf<{ json?: boolean }>(store, 'stats', 'show what the store holds', async (ctx, _a, opts) => {
    const st = await (await ctx.store()).stats();
    if (opts.json) return void process.stdout.write(JSON.stringify(st) + '\n');
    const lines = [
      `store:      ${st.kind} at ${st.location}`,
      `events:     ${st.total}`,
      ...Object.entries(st.byDataset)
        .sort()
        .map(([d, n]) => `  ${d.padEnd(22)}${n}`),
      `time range: ${st.oldest ?? '-'} .. ${st.newest ?? '-'}`,
      `retention:  ${st.retentionDays} days`,
      `quarantined: ${st.quarantined}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }).option('--json', 'print as JSON');

  leaf<QueryOpts>(store, 'query', 'search stored events; hits as NDJSON on stdout', async (ctx, _a, opts) => {
    const res = await (await ctx.store()).search(toQuery(opts));
    for (const h of res.hits) process.stdout.write(JSON.stringify(h) + '\n');
    if (Object.keys(res.aggs).length) process.stdout.write(JSON.stringify({ aggs: res.aggs }) + '\n');
    process.stderr.write(`${res.total} matching, ${res.hits.length} shown\n`);
  })
    .option('--dataset <names...>', 'event.dataset, e.g. network.flow alert')
    .option('--from <time>', 'ISO time or relative like 24h, 7d')
    .option('--to <time>', 'ISO time')
    .option('--org <ids...>', 'organization.id scope')
    .option('--filter <field=value...>', 'exact-match filters, e.g. source.ip=10.1.2.3')
    .option('--text <text>', 'free-text search')
    .option('--size <n>', 'hits to return', '20')
    .option('--terms <field>', 'also aggregate the top values of a field');
}

interface QueryOpts {
  dataset?: string[];
  from?: string;
  to?: string;
  org?: string[];
  filter?: string[];
  text?: string;
  size: string;
  terms?: string;
}

export function parseTime(t: string, name: string): string {
  const rel = t.match(/^(\d+)([smhd])$/);
  if (rel) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(Date.now() - Number(rel[1]) * unit).toISOString();
  }
  if (Number.isNaN(Date.parse(t)))
    throw new EduError('EDU_ERR_USAGE', `${name} "${t}" is neither an ISO time nor a relative time like 24h`);
  return new Date(t).toISOString();
}

function toQuery(o: QueryOpts): SearchQuery {
  for (const d of o.dataset ?? [])
    if (!isDataset(d)) throw new EduError('EDU_ERR_USAGE', `--dataset "${d}" is not a known dataset`);
  const filters: Filter[] = (o.filter ?? []).map((f) => {
    const i = f.indexOf('=');
    if (i <= 0) throw new EduError('EDU_ERR_USAGE', `--filter "${f}" must look like field=value`);
    const raw = f.slice(i + 1);
    return { field: f.slice(0, i), op: 'eq', value: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw };
  });
  const size = Number(o.size);
  if (!Number.isInteger(size) || size < 0)
    throw new EduError('EDU_ERR_USAGE', `--size must be a non-negative integer, not "${o.size}"`);
  return {
    datasets: o.dataset as Dataset[] | undefined,
    from: o.from ? parseTime(o.from, '--from') : undefined,
    to: o.to ? parseTime(o.to, '--to') : undefined,
    orgIds: o.org,
    filters,
    text: o.text,
    size,
    aggs: o.terms ? { terms: { type: 'terms', field: o.terms, size: 10 } } : undefined,
  };
}
