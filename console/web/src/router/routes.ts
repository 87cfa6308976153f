import type { RouteRecordRaw } from 'vue-router';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (menu label, document title). */
    title?: string;
    /** Permission the user needs (API.md); absent = any signed-in user. */
    permission?: string;
    /** Reachable without a session. */
    public?: boolean;
    /** Menu icon name (see layouts/base-layout/menu-icons.ts). */
    icon?: string;
    hideInMenu?: boolean;
  }
}

/** Pages inside the main layout, in menu order. */
export const layoutChildren: RouteRecordRaw[] = [
  {
    path: 'posture',
    name: 'posture',
    component: () => import('@/views/posture/index.vue'),
    meta: { title: 'route.posture', permission: 'posture:read', icon: 'posture' },
  },
  {
    path: 'alerts',
    name: 'alerts',
    component: () => import('@/views/alerts/index.vue'),
    meta: { title: 'route.alerts', permission: 'alerts:read', icon: 'alerts' },
  },
  {
    path: 'incidents',
    name: 'incidents',
    component: () => import('@/views/incidents/index.vue'),
    meta: { title: 'route.incidents', permission: 'incidents:read', icon: 'incidents' },
  },
  {
    path: 'notices',
    name: 'notices',
    component: () => import('@/views/notices/index.vue'),
    meta: { title: 'route.notices', permission: 'notices:read', icon: 'notices' },
  },
  {
    path: 'collectors',
    name: 'collectors',
    component: () => import('@/views/collectors/index.vue'),
    meta: { title: 'route.collectors', permission: 'collectors:read', icon: 'collectors' },
  },
  {
    path: 'sites',
    name: 'sites',
    component: () => import('@/views/sites/index.vue'),
    meta: { title: 'route.sites', permission: 'posture:read', icon: 'sites' },
  },
  {
    path: 'search',
    name: 'search',
    component: () => import('@/views/search/index.vue'),
    meta: { title: 'route.search', permission: 'search:read', icon: 'search' },
  },
  {
    path: 'system/users',
    name: 'users',
    component: () => import('@/views/system/users/index.vue'),
    meta: { title: 'route.users', permission: 'users:read', icon: 'users' },
  },
  {
    path: 'system/orgs',
    name: 'orgs',
    component: () => import('@/views/system/orgs/index.vue'),
    meta: { title: 'route.orgs', permission: 'orgs:write', icon: 'orgs' },
  },
  {
    path: 'rules',
    name: 'rules',
    component: () => import('@/views/rules/index.vue'),
    meta: { title: 'route.rules', permission: 'rules:read', icon: 'rules' },
  },
  {
    path: 'system/audit',
    name: 'audit',
    component: () => import('@/views/system/audit/index.vue'),
    meta: { title: 'route.audit', permission: 'audit:read', icon: 'audit' },
  },
];

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/_builtin/login/index.vue'),
    meta: { title: 'route.login', public: true },
  },
  {
    path: '/screen',
    name: 'screen',
    component: () => import('@/views/screen/index.vue'),
    meta: { title: 'route.screen', permission: 'posture:read' },
  },
  { path: '/', name: 'root', component: () => import('@/layouts/base-layout/index.vue'), children: layoutChildren },
  {
    path: '/403',
    name: '403',
    component: () => import('@/views/_builtin/403/index.vue'),
    meta: { title: 'route.403', public: true },
  },
  {
    path: '/500',
    name: '500',
    component: () => import('@/views/_builtin/500/index.vue'),
    meta: { title: 'route.500', public: true },
  },
  {
    path: '/:pathMatch(.*)*',
    name: '404',
    component: () => import('@/views/_builtin/404/index.vue'),
    meta: { title: 'route.404', public: true },
  },
];

/** Where a user lands after sign-in: the first page their role may open. */
export function homeRouteName(can: (permission?: string) => boolean): string {
  const first = layoutChildren.find((r) => can(r.meta?.permission));
  return (first?.name as string | undefined) ?? '403';
}
