import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../src/store/embedded/store';
import { storeContract } from './store-contract';

describe('embedded store (SQLite) meets the EventStore contract', () => {
  storeContract(() => {
    const dir = mkdtempSync(join(tmpdir(), 'edusentry-store-'));
    return {
      open: async () => new EmbeddedStore({ path: join(dir, 'events.db') }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});
