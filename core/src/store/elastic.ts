/** Elasticsearch / OpenSearch EventStore — being written (see issue #2). */
import { EduError } from '../errors';
import type { StoreConfig } from '../config/config';

export class ElasticStore {
  readonly kind = 'elasticsearch' as const;
  constructor(readonly cfg: StoreConfig) {}
  async ping(): Promise<void> {
    throw new EduError('EDU_ERR_STORE_UNREACHABLE', `elasticsearch store not built yet (${this.cfg.url})`);
  }
}
