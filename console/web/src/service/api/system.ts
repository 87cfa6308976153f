import { http } from '../request';

export function fetchUserList(query: Api.Common.PageQuery & { q?: string }) {
  return http.get<Api.Common.Page<Api.Auth.User>>('/api/users', { ...query });
}

/** Who alerts and incidents of `orgId` (default: the caller's subtree) can be given to. */
export function fetchAssignableUsers(orgId?: string) {
  return http.get<{ items: Api.User.Assignable[] }>('/api/users/assignable', orgId ? { orgId } : {});
}

export function fetchCreateUser(body: Api.User.CreateBody) {
  return http.post<Api.Auth.User>('/api/users', body);
}

export function fetchUpdateUser(id: string, body: Api.User.PatchBody) {
  return http.patch<Api.Auth.User>(`/api/users/${encodeURIComponent(id)}`, body);
}

export function fetchGrantUser(id: string, body: Api.User.GrantBody) {
  return http.put<Api.Auth.User>(`/api/users/${encodeURIComponent(id)}/grant`, body);
}

export function fetchUnlockUser(id: string) {
  return http.post<Api.Auth.User>(`/api/users/${encodeURIComponent(id)}/unlock`);
}

export function fetchDeleteUser(id: string) {
  return http.del<void>(`/api/users/${encodeURIComponent(id)}`);
}

export function fetchOrgs() {
  return http.get<{ items: Api.Org.OrgNode[] }>('/api/orgs');
}

export function fetchCreateOrg(body: Api.Org.CreateBody) {
  return http.post<Api.Org.OrgNode>('/api/orgs', body);
}

export function fetchUpdateOrg(id: string, body: { name?: string; cidrs?: string[] }) {
  return http.patch<Api.Org.OrgNode>(`/api/orgs/${encodeURIComponent(id)}`, body);
}

export function fetchDeleteOrg(id: string) {
  return http.del<void>(`/api/orgs/${encodeURIComponent(id)}`);
}

export function fetchAuditList(query: Api.Audit.ListQuery) {
  return http.get<Api.Common.Page<Api.Audit.Record>>('/api/audit', { ...query });
}

export function fetchAuditVerify() {
  return http.get<Api.Audit.Verify>('/api/audit/verify');
}
