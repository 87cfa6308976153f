import { useRouter } from 'vue-router';
import { useAuthStore } from '@/store/modules/auth';
import { useLiveStore } from '@/store/modules/live';

/** What to do when the server ends the session over socket.io: forget it and go to sign-in. */
export function useSessionEnded() {
  const router = useRouter();
  const auth = useAuthStore();
  const live = useLiveStore();
  return (reason: string) => {
    live.disconnect();
    auth.sessionEnded(reason === 'expired' ? 'expired' : null);
    const from = router.currentRoute.value.fullPath;
    router.push({ name: 'login', query: from && from !== '/' ? { redirect: from } : {} });
  };
}
