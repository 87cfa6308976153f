import { http } from '../request';

export function fetchLogin(body: Api.Auth.LoginBody) {
  return http.post<Api.Auth.Session>('/api/auth/login', body, { silent: true });
}

export function fetchLogout() {
  return http.post<void>('/api/auth/logout', undefined, { silent: true });
}

/** The current session; silent because "not logged in" is an answer here, not an error. */
export function fetchMe() {
  return http.get<Api.Auth.Session>('/api/auth/me', undefined, { silent: true });
}

export function fetchChangePassword(currentPassword: string, newPassword: string) {
  return http.post<void>('/api/auth/password', { currentPassword, newPassword });
}

export function fetchRoles() {
  return http.get<{ items: { role: Api.Auth.Role; permissions: string[] }[] }>('/api/roles');
}
