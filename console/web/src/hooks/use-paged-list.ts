import { reactive, ref, shallowRef, type Ref } from 'vue';

/** What a paged list route answers (GET /api/alerts, /api/incidents, /api/search, /api/audit, /api/users). */
export interface Page<T> {
  items: T[];
  total: number;
}

export interface PagedListOptions<R> {
  pageSize?: number;
  /** Offer a page-size picker with these sizes. */
  pageSizes?: number[];
  /** The pagination's "total" label, e.g. (n) => t('common.total', { n }). */
  totalLabel?: (n: number) => string;
  /** Puts the view's filters back to their defaults (reset() then searches from page 1). */
  resetFilters?: () => void;
  /** Called with each answer that is shown (not with stale ones). */
  onLoaded?: (res: R) => void;
}

/**
 * One paged list, handled one way in every view: the page and its size, loading, the error
 * of the last load (the request layer has shown it too; the view shows it where the rows would
 * be), and a guard so that only the newest request's answer is shown when filters change
 * faster than the server answers. search() starts again from page 1; reset() clears the filters first.
 */
export function usePagedList<R extends Page<unknown>>(
  fetchPage: (page: { page: number; pageSize: number }) => Promise<R>,
  o: PagedListOptions<R> = {},
) {
  const items = ref([]) as Ref<R['items']>;
  const result = shallowRef<R | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const pagination = reactive({
    page: 1,
    pageSize: o.pageSize ?? 20,
    itemCount: 0,
    ...(o.pageSizes ? { showSizePicker: true, pageSizes: o.pageSizes } : {}),
    ...(o.totalLabel ? { prefix: ({ itemCount }: { itemCount?: number }) => o.totalLabel!(itemCount ?? 0) } : {}),
  });
  let latest = 0;

  async function load(): Promise<void> {
    const mine = ++latest;
    loading.value = true;
    try {
      const res = await fetchPage({ page: pagination.page, pageSize: pagination.pageSize });
      if (mine !== latest) return; // a newer request was made meanwhile: its answer counts
      items.value = res.items;
      result.value = res;
      pagination.itemCount = res.total;
      error.value = null;
      o.onLoaded?.(res);
    } catch (e) {
      if (mine !== latest) return;
      items.value = [];
      result.value = null;
      pagination.itemCount = 0;
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === latest) loading.value = false;
    }
  }

  function setPage(page: number): Promise<void> {
    pagination.page = page;
    return load();
  }

  function setPageSize(size: number): Promise<void> {
    pagination.pageSize = size;
    return setPage(1);
  }

  const search = () => setPage(1);

  function reset(): Promise<void> {
    o.resetFilters?.();
    return search();
  }

  return { items, result, loading, error, pagination, load, search, reset, setPage, setPageSize };
}
