/**
 * Who may be given an alert (triage `assign`) or an incident (`owner`): enabled users
 * whose role triages alerts, whose node is inside the caller's subtree and who can see
 * the organisation of the work — their node is in its subtree or above it.
 */
import type { FastifyRequest } from 'fastify';
import { ASSIGNABLE_ROLES } from './auth/roles';
import { authOf, scopeIds, type AppContext } from './context';
import { apiError } from './errors';
import type { User } from './state';

export interface Assignee {
  username: string;
  displayName: string;
  role: User['role'];
  orgId: string;
}

/** The people the caller may assign work of `orgId` to (no `orgId`: work anywhere in the caller's subtree). */
export function assignableUsers(ctx: AppContext, req: FastifyRequest, orgId?: string): Assignee[] {
  const callerIds = authOf(req).orgIds;
  let orgIds = callerIds;
  if (orgId) {
    const seeing = new Set([...scopeIds(ctx, req, orgId), ...ctx.state.orgs.ancestors(orgId)]);
    orgIds = callerIds.filter((id) => seeing.has(id));
  }
  return ctx.state.users
    .withRoles(ASSIGNABLE_ROLES, orgIds)
    .map(({ username, displayName, role, orgId: o }) => ({ username, displayName, role, orgId: o }));
}

/** Throws 400 naming `field` unless `username` is one of assignableUsers(…, orgId). */
export function assertAssignable(
  ctx: AppContext,
  req: FastifyRequest,
  username: string,
  orgId: string,
  field: string,
): void {
  if (assignableUsers(ctx, req, orgId).some((u) => u.username === username)) return;
  throw apiError(
    'EDU_ERR_VALIDATION',
    `${field} "${username}" is not a user you can assign work of organisation "${orgId}" to; pick one from GET /api/users/assignable?orgId=${orgId}`,
  );
}
