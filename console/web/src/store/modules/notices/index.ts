import { defineStore } from 'pinia';
import { ref } from 'vue';
import { fetchBell, fetchBellRead, type BellItem } from '@/service/api/notices';

/** The notification bell: unread count and latest items, polled while signed in (the menu badge reads it too). */
export const useNoticeStore = defineStore('notices', () => {
  const unread = ref(0);
  const items = ref<BellItem[]>([]);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function refresh() {
    try {
      const r = await fetchBell(20);
      unread.value = r.unread;
      items.value = r.items;
    } catch {
      // the bell is never worth an error message; the next poll tries again
    }
  }

  function start(everyMs = 30_000) {
    stop();
    refresh();
    timer = setInterval(refresh, everyMs);
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  async function markRead(ids?: number[]) {
    await fetchBellRead(ids);
    await refresh();
  }

  /** Unread items about one notice (the menu badge counts notice events only). */
  const noticeUnread = () => items.value.filter((i) => !i.read && i.noticeId).length;

  return { unread, items, refresh, start, stop, markRead, noticeUnread };
});
