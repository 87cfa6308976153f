/** JSON-schema fragments shared by the routes. */
export const pagingProps = {
  page: { type: 'integer', minimum: 1, default: 1 },
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
