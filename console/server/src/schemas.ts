/** JSON-schema fragments shared by the routes. */
export const pagingProps = {
  // Capped so that (page - 1) × pageSize stays a small integer for every store (SQLite's OFFSET is 64-bit).
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
} as const;

export const timeProps = {
  from: { type: 'string', description: 'ISO-8601 or epoch ms, inclusive; default to − 24 h' },
  to: { type: 'string', description: 'ISO-8601 or epoch ms, exclusive; default now' },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const orgIdProp = { orgId: { type: 'string', minLength: 1, maxLength: 64 } } as const;
