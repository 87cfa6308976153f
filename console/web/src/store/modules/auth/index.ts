import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { fetchLogin, fetchLogout, fetchMe } from '@/service/api';
import { setCsrfToken } from '@/service/request';

/** The signed-in session: user, organisation node, permissions and the CSRF token. */
export const useAuthStore = defineStore('auth', () => {
  const session = ref<Api.Auth.Session | null>(null);
  /** Set when the server ended the session (idle timeout), shown once on the login page. */
  const endedReason = ref<'expired' | null>(null);
  const checked = ref(false);

  const user = computed(() => session.value?.user ?? null);
  const org = computed(() => session.value?.org ?? null);
  const isLogin = computed(() => session.value !== null);
  const permissions = computed(() => new Set(session.value?.permissions ?? []));

  function can(permission: string | undefined) {
    return !permission || permissions.value.has(permission);
  }

  function apply(s: Api.Auth.Session | null) {
    session.value = s;
    setCsrfToken(s?.csrfToken ?? '');
  }

  async function login(username: string, password: string) {
    apply(await fetchLogin({ username, password }));
    endedReason.value = null;
    checked.value = true;
  }

  /** Asks the server once per page load whether the cookie still holds a session. */
  async function ensureSession() {
    if (checked.value) return isLogin.value;
    checked.value = true;
    try {
      apply(await fetchMe());
    } catch {
      apply(null);
    }
    return isLogin.value;
  }

  /** Reads the session again (after the own password change: permissions and flags change). */
  async function refresh() {
    apply(await fetchMe());
  }

  async function logout() {
    try {
      await fetchLogout();
    } finally {
      apply(null);
    }
  }

  function sessionEnded(reason: 'expired' | null) {
    apply(null);
    endedReason.value = reason;
  }

  return {
    session,
    user,
    org,
    isLogin,
    permissions,
    endedReason,
    can,
    login,
    ensureSession,
    refresh,
    logout,
    sessionEnded,
  };
});
