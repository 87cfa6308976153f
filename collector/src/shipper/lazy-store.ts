/**
 * A store opened on first use, and opened again after a failed attempt: a collector
 * starts, receives and spools while the store is down, and ships once it answers.
 */
import type {
  Dataset,
  EcsEvent,
  EventStore,
  InitOptions,
  SearchQuery,
  SearchResult,
  StoreKind,
  TailCursor,
  TailResult,
} from '@edusentry/core';

export class LazyStore implements EventStore {
  private opened?: Promise<EventStore>;

  constructor(
    readonly kind: StoreKind,
    private readonly open: () => Promise<EventStore>,
  ) {}

  private store(): Promise<EventStore> {
    this.opened ??= this.open().catch((err) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }

  async init(opts?: InitOptions) {
    return (await this.store()).init(opts);
  }
  async write(events: EcsEvent[]) {
    return (await this.store()).write(events);
  }
  async search<E = EcsEvent>(q: SearchQuery): Promise<SearchResult<E>> {
    return (await this.store()).search<E>(q);
  }
  async get(id: string, dataset?: Dataset) {
    return (await this.store()).get(id, dataset);
  }
  async update(id: string, dataset: Dataset, patch: Record<string, unknown>) {
    return (await this.store()).update(id, dataset, patch);
  }
  async tail(cursor: TailCursor | null, opts?: { limit?: number; datasets?: Dataset[] }): Promise<TailResult> {
    return (await this.store()).tail(cursor, opts);
  }
  async stats() {
    return (await this.store()).stats();
  }
  async retentionDays() {
    return (await this.store()).retentionDays();
  }
  async close(): Promise<void> {
    const s = await this.opened?.catch(() => undefined);
    await s?.close();
  }
}
