/** What every route plugin gets: the stores, the bus, the config and the request's identity and scope. */
import { cidrRange, ipKey, type EventBus, type EventStore, type Logger, type OrgNode } from '@edusentry/core';
import type { FastifyRequest } from 'fastify';
import type { Role, RoutePermission } from './auth/roles';
import type { HashCost } from './auth/password';
import type { Session, Sessions } from './auth/sessions';
import type { ConsoleConfig } from './config';
import { apiError } from './errors';
import type { AuditInput, ConsoleState, User } from './state';

export interface Auth {
  user: User;
  session: Session;
  /** null: an account the security administrator has not granted a role yet. */
  role: Role | null;
  /** The user's node and every node below it. */
  orgIds: string[];
  org: OrgNode;
  /** The user's node is the installation root: org-less records (collectors, unknown-user logins) are theirs too. */
  isRoot: boolean;
}

export interface AppContext {
  store: EventStore;
  state: ConsoleState;
  bus: EventBus;
  config: ConsoleConfig;
  sessions: Sessions;
  now: () => number;
  log: Logger;
  /** Cost of the password hashes the API makes (tests make them cheap; default: argon2's). */
  hashCost?: HashCost;
}

export interface RouteAccess {
  /** No session needed. */
  public?: boolean;
  /** Any logged-in user. */
  anyRole?: boolean;
  /** One permission, or several of which any one suffices. */
  permission?: RoutePermission;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
    anyRole?: boolean;
    permission?: RoutePermission;
  }
}

export function authOf(req: FastifyRequest): Auth {
  if (!req.auth) throw apiError('EDU_ERR_AUTH_REQUIRED', 'log in first');
  return req.auth;
}

/**
 * The organisation ids a query may touch: the caller's subtree, or the subtree of
 * `orgId` when it is inside the caller's (else EDU_ERR_OUT_OF_SCOPE).
 */
export function scopeIds(ctx: AppContext, req: FastifyRequest, orgId?: string): string[] {
  const auth = authOf(req);
  if (!orgId) return auth.orgIds;
  if (!auth.orgIds.includes(orgId))
    throw apiError('EDU_ERR_OUT_OF_SCOPE', `organisation "${orgId}" is outside your organisation "${auth.org.id}"`);
  return ctx.state.orgs.subtree(orgId);
}

export function inScope(req: FastifyRequest, orgId: string | null | undefined): boolean {
  const auth = authOf(req);
  return orgId ? auth.orgIds.includes(orgId) : auth.isRoot;
}

/** Appends to the audit trail on behalf of the request's user (or `actor` for logins). */
export function audit(
  ctx: AppContext,
  req: FastifyRequest,
  input: Omit<AuditInput, 'actor' | 'role' | 'orgId' | 'ip'> & {
    actor?: string | null;
    orgId?: string | null;
    role?: string | null;
  },
): void {
  const u = req.auth?.user;
  ctx.state.audit.append({
    ...input,
    actor: input.actor !== undefined ? input.actor : (u?.username ?? null),
    role: input.role !== undefined ? input.role : (u?.role ?? null),
    orgId: input.orgId !== undefined ? input.orgId : (u?.orgId ?? null),
    ip: req.ip,
  });
}

/** Page/pageSize → limit/offset. */
export function paging(q: { page?: number; pageSize?: number }): {
  page: number;
  pageSize: number;
  limit: number;
  offset: number;
} {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 20;
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize };
}

/** Lists from the EventStore page through the first RESULT_WINDOW hits only, as search engines do. */
export const RESULT_WINDOW = 10_000;

/** paging() for a store list; a page beyond the result window is a validation error naming `where`/page. */
export function storePaging(q: { page?: number; pageSize?: number }, where: 'querystring' | 'body') {
  const p = paging(q);
  if (p.offset + p.limit > RESULT_WINDOW)
    throw apiError(
      'EDU_ERR_VALIDATION',
      `${where}/page ${p.page} is beyond the first ${RESULT_WINDOW} results; narrow the time range or the filters`,
    );
  return p;
}

/** An IPv4/IPv6 address, or with `cidr` a block such as 10.1.0.0/16. */
export function isAddress(v: string, cidr: boolean): boolean {
  if (!cidr) return ipKey(v) !== undefined;
  if (!/\/\d{1,3}$/.test(v)) return false;
  try {
    cidrRange(v);
    return true;
  } catch {
    return false;
  }
}

/** The longest time range any query may span: bounds the work of a store query (`from=0` would scan all). */
export const MAX_RANGE_MS = 366 * 86_400_000;

/** `from`/`to` query params (ISO or epoch ms) → epoch ms, default the last 24 hours, at most MAX_RANGE_MS. */
export function timeRange(
  ctx: AppContext,
  q: { from?: string; to?: string },
  defaultMs = 86_400_000,
): { from: number; to: number } {
  const parse = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(n))
      throw apiError(
        'EDU_ERR_VALIDATION',
        `querystring/${name} must be an ISO-8601 time or epoch milliseconds, not "${v}"`,
      );
    return n;
  };
  const to = parse(q.to, 'to') ?? ctx.now();
  const from = parse(q.from, 'from') ?? to - defaultMs;
  if (from >= to) throw apiError('EDU_ERR_VALIDATION', 'querystring/from must be before querystring/to');
  if (to - from > MAX_RANGE_MS)
    throw apiError(
      'EDU_ERR_VALIDATION',
      `querystring/from: the time range may span at most ${MAX_RANGE_MS / 86_400_000} days; narrow from/to`,
    );
  return { from, to };
}
