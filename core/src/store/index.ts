import { join } from 'node:path';
import type { StoreConfig } from '../config/config';
import { EmbeddedStore } from './embedded/store';
import type { ElasticStore, ElasticStoreOptions } from './elastic/store';
import type { EventStore } from './types';

export * from './types';
export { EmbeddedStore } from './embedded/store';
export type { ElasticStore, ElasticStoreOptions } from './elastic/store';
export { fieldType, type FieldType } from './elastic/mappings';
export { invalidReason, deepMerge, toEpochMs } from './validate';
export * from './ip';
export { RetentionJob, type RetentionRun } from './retention';

/** Opens the configured store. The elasticsearch module is loaded only when asked for. */
export async function openStore(cfg: StoreConfig, dataDir: string): Promise<EventStore> {
  if (cfg.kind === 'embedded')
    return new EmbeddedStore({ path: join(dataDir, 'events.db'), retentionDays: cfg.retentionDays });
  return openElasticStore(cfg);
}

/** An Elasticsearch/OpenSearch store, checked to answer (EDU_ERR_STORE_UNREACHABLE otherwise). */
export async function openElasticStore(opts: ElasticStoreOptions): Promise<ElasticStore> {
  const { ElasticStore } = await import('./elastic/store');
  const store = new ElasticStore(opts);
  await store.ping();
  return store;
}
