import { ref, watch, type Ref } from 'vue';

/**
 * The object a detail drawer shows: loaded whenever the id it is opened with
 * changes, cleared when it closes. `onOpen` resets the drawer's own state first.
 * A failed load leaves it empty (the request layer already showed the error).
 */
export function useDetail<T>(
  id: () => string | null | undefined,
  fetch: (id: string) => Promise<T>,
  onOpen?: () => void,
) {
  const data = ref(null) as Ref<T | null>;
  const loading = ref(false);

  async function load(key: string) {
    loading.value = true;
    try {
      data.value = await fetch(key);
    } catch {
      data.value = null;
    } finally {
      loading.value = false;
    }
  }

  watch(
    id,
    (key) => {
      onOpen?.();
      if (key) load(key);
      else data.value = null;
    },
    { immediate: true },
  );

  return { data, loading, load };
}
