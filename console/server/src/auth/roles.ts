/**
 * Roles and what each may do. The three administrators (三员) are separate by
 * construction: the system administrator manages accounts and organisations, the
 * security administrator grants roles (授权), the audit administrator reads the audit
 * trail; none of them reads or works alerts. They share only reading the
 * organisation tree (and sys_admin/sec_admin the account list). An account may have
 * no role (null): it can log in and do nothing until the security administrator
 * grants it one.
 */
export const ROLES = [
  'school_officer',
  'city_monitor',
  'province_monitor',
  'auditor',
  'sys_admin',
  'sec_admin',
  'audit_admin',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'posture:read',
  'alerts:read',
  'alerts:triage',
  'incidents:read',
  'incidents:write',
  'search:read',
  'collectors:read',
  'orgs:read',
  'orgs:write',
  'users:read',
  'users:write',
  'users:grant',
  'audit:read',
  'notices:read',
  'notices:issue',
  'notices:rectify',
  'rules:read',
  'rules:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const MONITOR: Permission[] = [
  'posture:read',
  'alerts:read',
  'alerts:triage',
  'incidents:read',
  'incidents:write',
  'search:read',
  'collectors:read',
  'orgs:read',
];

export const ROLE_PERMISSIONS: Record<Role, Permission[]> = {
  school_officer: [...MONITOR, 'notices:read', 'notices:rectify'],
  city_monitor: [...MONITOR, 'notices:read', 'notices:issue', 'notices:rectify'],
  province_monitor: [...MONITOR, 'notices:read', 'notices:issue'],
  auditor: [
    'posture:read',
    'alerts:read',
    'incidents:read',
    'search:read',
    'collectors:read',
    'orgs:read',
    'audit:read',
    'notices:read',
  ],
  sys_admin: ['orgs:read', 'orgs:write', 'users:read', 'users:write', 'collectors:read'],
  sec_admin: ['users:read', 'users:grant', 'collectors:read', 'orgs:read', 'rules:read', 'rules:write'],
  audit_admin: ['orgs:read', 'audit:read'],
};

/** The administrators (三员): their accounts are created and changed only from the server's command line. */
export const ADMIN_ROLES: readonly Role[] = ['sys_admin', 'sec_admin', 'audit_admin'];

/** The roles the security administrator may grant through the API. */
export const GRANTABLE_ROLES: Role[] = ROLES.filter((r) => !ADMIN_ROLES.includes(r));

export function isAdminRole(role: Role | null): boolean {
  return role !== null && ADMIN_ROLES.includes(role);
}

/** What an account may do: nothing without a role. */
export function permissionsOf(role: Role | null): Permission[] {
  return role ? ROLE_PERMISSIONS[role] : [];
}

export function can(role: Role | null, permission: Permission): boolean {
  return (role && ROLE_PERMISSIONS[role]?.includes(permission)) ?? false;
}

/** A route's permission: one, or a list of which any one suffices. */
export type RoutePermission = Permission | readonly Permission[];

export function canAny(role: Role | null, permission: RoutePermission): boolean {
  return typeof permission === 'string' ? can(role, permission) : permission.some((p) => can(role, p));
}

/** Roles that work alerts, so they can be a triage assignee or an incident owner. */
export const ASSIGNABLE_ROLES: Role[] = ROLES.filter((r) => can(r, 'alerts:triage'));

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}
