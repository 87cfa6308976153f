/** Search over stored events by time, organisation and field filters, with a field sidebar of top values. */
import { DATASETS, fieldType, type Dataset, type Filter } from '@edusentry/core';
import type { FastifyPluginAsync } from 'fastify';
import { isAddress, scopeIds, storePaging, timeRange, type AppContext } from '../context';
import { apiError } from '../errors';
import { orgIdProp, pagingProps, timeProps } from '../schemas';

/**
 * Free text is a substring match over ~25 fields: on a search engine a leading-wildcard
 * scan of each field's terms in every daily index of the range. Bounded: at least
 * TEXT_MIN characters (fewer match nearly everything) over at most TEXT_RANGE_MS.
 */
export const TEXT_MIN = 3;
export const TEXT_RANGE_MS = 31 * 86_400_000;

/** The free text of a search (trimmed, or undefined), refused outside the bounds above. */
export function boundedText(
  raw: string | undefined,
  from: number,
  to: number,
  where: 'body' | 'querystring',
  field: string,
): string | undefined {
  const text = raw?.trim() || undefined;
  if (text && text.length < TEXT_MIN)
    throw apiError('EDU_ERR_VALIDATION', `${where}/${field} must be empty or at least ${TEXT_MIN} characters`);
  if (text && to - from > TEXT_RANGE_MS)
    throw apiError(
      'EDU_ERR_VALIDATION',
      `${where}/from: a free-text search may span at most ${TEXT_RANGE_MS / 86_400_000} days; narrow from/to or use filters`,
    );
  return text;
}

const FIELD = { type: 'string', pattern: '^@?[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$', maxLength: 100 } as const;
const OPS = ['eq', 'neq', 'prefix', 'contains', 'exists', 'missing', 'cidr', 'gte', 'lte'] as const;
type Op = (typeof OPS)[number];

export const SIDEBAR_FIELDS = [
  'event.dataset',
  'organization.id',
  'source.ip',
  'destination.ip',
  'destination.port',
  'network.protocol',
  'user.name',
  'url.domain',
];
export const KNOWN_FIELDS = [
  '@timestamp',
  'event.dataset',
  'event.kind',
  'event.action',
  'event.outcome',
  'event.severity',
  'organization.id',
  'observer.id',
  'source.ip',
  'source.port',
  'destination.ip',
  'destination.port',
  'network.transport',
  'network.protocol',
  'network.direction',
  'network.bytes',
  'network.community_id',
  'dns.question.name',
  'url.original',
  'url.domain',
  'http.request.method',
  'http.response.status_code',
  'user_agent.original',
  'tls.client.server_name',
  'tls.client.ja3',
  'log.syslog.hostname',
  'log.syslog.appname',
  'message',
  'user.name',
  'rule.id',
  'rule.name',
  'rule.level',
  'edu.alert.status',
];

interface SearchBody {
  from?: string;
  to?: string;
  datasets?: Dataset[];
  orgId?: string;
  text?: string;
  filters?: { field: string; op: Op; value?: string | number }[];
  sort?: { field: string; order: 'asc' | 'desc' };
  page?: number;
  pageSize?: number;
  fields?: string[];
}

/**
 * A filter value as the field's type wants it, so both stores compare like with like:
 * numbers typed into the search box are numbers, times must parse.
 */
function typedValue(field: string, v: string | number, op: Op, where: string): string | number {
  const type = fieldType(field);
  if (op === 'prefix' || op === 'contains' || op === 'cidr') return v;
  if ((type === 'long' || type === 'float') && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
    return Number(v);
  if (type === 'date' && typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (type === 'date' && Number.isNaN(typeof v === 'number' ? v : Date.parse(v)))
    throw apiError('EDU_ERR_VALIDATION', `${where} "${v}" is not an ISO-8601 time or epoch milliseconds`);
  return v;
}

export const searchRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post<{ Body: SearchBody }>(
    '/api/search',
    {
      config: { permission: 'search:read' },
      schema: {
        tags: ['search'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...timeProps,
            ...pagingProps,
            ...orgIdProp,
            datasets: { type: 'array', maxItems: 20, items: { type: 'string', enum: Object.keys(DATASETS) } },
            text: { type: 'string', maxLength: 200 },
            filters: {
              type: 'array',
              maxItems: 20,
              items: {
                type: 'object',
                required: ['field', 'op'],
                additionalProperties: false,
                properties: {
                  field: FIELD,
                  op: { type: 'string', enum: [...OPS] },
                  value: { type: ['string', 'number'] },
                },
              },
            },
            sort: {
              type: 'object',
              required: ['field', 'order'],
              additionalProperties: false,
              properties: { field: FIELD, order: { type: 'string', enum: ['asc', 'desc'] } },
            },
            fields: { type: 'array', maxItems: 20, items: FIELD },
          },
        },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const orgIds = scopeIds(ctx, req, b.orgId);
      const { from, to } = timeRange(ctx, b);
      const text = boundedText(b.text, from, to, 'body', 'text');
      const p = storePaging(b, 'body');
      const filters: Filter[] = (b.filters ?? []).map((f, i) => {
        const needsValue = f.op !== 'exists' && f.op !== 'missing';
        if (needsValue && (f.value === undefined || f.value === ''))
          throw apiError('EDU_ERR_VALIDATION', `body/filters/${i}/value is required for op ${f.op}`);
        const v = typedValue(f.field, f.value!, f.op, `body/filters/${i}/value`);
        switch (f.op) {
          case 'exists':
          case 'missing':
            return { field: f.field, op: f.op };
          case 'gte':
            return { field: f.field, op: 'range', gte: v };
          case 'lte':
            return { field: f.field, op: 'range', lte: v };
          case 'prefix':
          case 'contains':
            return { field: f.field, op: f.op, value: String(v) };
          case 'cidr':
            if (fieldType(f.field) !== 'ip')
              throw apiError('EDU_ERR_VALIDATION', `body/filters/${i}/field "${f.field}" is not an address field`);
            if (!isAddress(String(v), true))
              throw apiError('EDU_ERR_VALIDATION', `body/filters/${i}/value "${v}" is not a CIDR block`);
            return { field: f.field, op: 'cidr', value: String(v) };
          default:
            return { field: f.field, op: f.op, value: v };
        }
      });
      const fields = b.fields ?? SIDEBAR_FIELDS;
      const res = await ctx.store.search({
        datasets: b.datasets,
        from,
        to,
        orgIds,
        filters,
        text,
        sort: [b.sort ?? { field: '@timestamp', order: 'desc' }],
        size: p.limit,
        offset: p.offset,
        aggs: Object.fromEntries(fields.map((f, i) => [`f${i}`, { type: 'terms', field: f, size: 5 }])),
      });
      const sidebar = fields.map((field, i) => {
        const agg = res.aggs[`f${i}`];
        return {
          field,
          top: agg && 'buckets' in agg ? agg.buckets.map((bk) => ({ value: bk.key, count: bk.count })) : [],
        };
      });
      return { total: res.total, page: p.page, pageSize: p.pageSize, items: res.hits, sidebar };
    },
  );

  app.get('/api/search/fields', { config: { permission: 'search:read' }, schema: { tags: ['search'] } }, async () => ({
    datasets: Object.keys(DATASETS),
    fields: KNOWN_FIELDS,
  }));
};
