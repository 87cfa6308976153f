import { join } from 'node:path';
import type { StoreConfig } from '../config/config';
import { EmbeddedStore } from './embedded';
import type { EventStore } from './types';

export * from './types';
export { EmbeddedStore } from './embedded';
export { invalidReason, deepMerge, toEpochMs } from './validate';
export * from './ip';

/** Opens the configured store. The elasticsearch module is loaded only when asked for. */
export async function openStore(cfg: StoreConfig, dataDir: string): Promise<EventStore> {
  if (cfg.kind === 'embedded') return new EmbeddedStore({ path: join(dataDir, 'events.db'), retentionDays: cfg.retentionDays });
  const { ElasticStore } = await import('./elastic');
  const store = new ElasticStore(cfg);
  await store.ping();
  return store as unknown as EventStore; // TODO(#2): ElasticStore implements EventStore
}
