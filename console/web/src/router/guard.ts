import type { Router } from 'vue-router';
import { useAuthStore } from '@/store/modules/auth';
import { $t } from '@/locales';
import { homeRouteName } from './routes';

/** Session and permission checks before every navigation; the server checks again on every request. */
export function setupRouterGuard(router: Router) {
  router.beforeEach(async (to) => {
    const auth = useAuthStore();
    const loggedIn = await auth.ensureSession();
    // A password an administrator set is changed on the login page before anything else.
    const mustChange = loggedIn && !!auth.user?.mustChangePassword;
    if (to.name === 'login') return loggedIn && !mustChange ? { name: homeRouteName(auth.can) } : true;
    if (to.meta.public) return true;
    if (!loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    if (mustChange) return { name: 'login' };
    if (to.name === 'root') return { name: homeRouteName(auth.can) };
    if (!auth.can(to.meta.permission)) return { name: '403' };
    return true;
  });
  router.afterEach((to) => {
    const title = to.meta.title ? $t(to.meta.title) : '';
    document.title = title ? `${title} · EduSentry` : 'EduSentry';
  });
}
