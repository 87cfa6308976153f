import { usePagedList, type Page } from '../use-paged-list';

/** A fetch whose answers the test releases one by one, in any order. */
function controlled<T>() {
  const calls: { page: number; pageSize: number; resolve: (p: Page<T>) => void; reject: (e: Error) => void }[] = [];
  const fetchPage = (q: { page: number; pageSize: number }) =>
    new Promise<Page<T>>((resolve, reject) => calls.push({ ...q, resolve, reject }));
  return { calls, fetchPage };
}

describe('usePagedList', () => {
  it('shows only the newest answer when an older one arrives late', async () => {
    const { calls, fetchPage } = controlled<string>();
    const list = usePagedList(fetchPage);
    const first = list.load();
    const second = list.setPage(2);
    expect(list.loading.value).toBe(true);
    calls[1].resolve({ items: ['new'], total: 21 });
    await second;
    calls[0].resolve({ items: ['stale'], total: 1 });
    await first;
    expect(list.items.value).toEqual(['new']);
    expect(list.pagination.itemCount).toBe(21);
    expect(list.pagination.page).toBe(2);
    expect(list.loading.value).toBe(false);
    expect(calls.map((c) => c.page)).toEqual([1, 2]);
  });

  it('surfaces an error (and a stale error does not hide a newer answer)', async () => {
    const { calls, fetchPage } = controlled<number>();
    const list = usePagedList(fetchPage);
    const a = list.load();
    calls[0].reject(new Error('the event store failed (request 7); see the server log'));
    await a;
    expect(list.error.value).toBe('the event store failed (request 7); see the server log');
    expect(list.items.value).toEqual([]);
    expect(list.loading.value).toBe(false);

    const b = list.load();
    const c = list.load();
    calls[2].resolve({ items: [1, 2], total: 2 });
    await c;
    calls[1].reject(new Error('late failure'));
    await b;
    expect(list.error.value).toBeNull();
    expect(list.items.value).toEqual([1, 2]);
  });

  it('search goes back to page 1, reset clears the filters first, page size restarts', async () => {
    const seen: number[][] = [];
    const filters = { q: 'ssh' };
    const loaded: number[] = [];
    const list = usePagedList(
      async ({ page, pageSize }) => {
        seen.push([page, pageSize]);
        return { items: [filters.q], total: 100 };
      },
      { pageSize: 20, resetFilters: () => (filters.q = ''), onLoaded: (r) => loaded.push(r.total) },
    );
    await list.setPage(3);
    await list.search();
    await list.setPage(4);
    await list.reset();
    expect(filters.q).toBe('');
    expect(list.items.value).toEqual(['']);
    await list.setPageSize(50);
    expect(seen).toEqual([
      [3, 20],
      [1, 20],
      [4, 20],
      [1, 20],
      [1, 50],
    ]);
    expect(loaded).toHaveLength(5);
  });

  it('builds the pagination the tables take, with the total label', () => {
    const list = usePagedList(async () => ({ items: [], total: 0 }), {
      pageSizes: [20, 50],
      totalLabel: (n) => `共 ${n} 条`,
    });
    list.pagination.itemCount = 42;
    expect(list.pagination.showSizePicker).toBe(true);
    expect(list.pagination.prefix?.({ itemCount: 42 })).toBe('共 42 条');
  });
});
