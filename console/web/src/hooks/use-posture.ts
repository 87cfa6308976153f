import { onUnmounted, ref, watch, type Ref } from 'vue';
import { fetchPosture } from '@/service/api';
import { useLiveStore } from '@/store/modules/live';
import { rangeToQuery, type TimeRange } from '@/utils/time';

/** Posture data for a range and scope: reloads on change, every 30 s, and shortly after a live alert. */
export function usePosture(range: Ref<TimeRange>, orgId: Ref<string | null>) {
  const data = ref<Api.Posture.Posture | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const live = useLiveStore();

  async function load() {
    loading.value = true;
    try {
      data.value = await fetchPosture({ ...rangeToQuery(range.value), orgId: orgId.value ?? undefined });
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  let pending: ReturnType<typeof setTimeout> | undefined;
  const offAlert = live.onAlert(() => {
    clearTimeout(pending);
    pending = setTimeout(load, 1500);
  });
  const timer = setInterval(load, 30_000);
  watch([range, orgId], load, { deep: true, immediate: true });
  onUnmounted(() => {
    offAlert();
    clearInterval(timer);
    clearTimeout(pending);
  });

  return { data, loading, error, load };
}
