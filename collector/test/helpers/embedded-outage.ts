/**
 * An embedded store for the reliability tests, with an outage the test switches on and off:
 * another connection holds SQLite's write lock, so the collector's writes fail with
 * SQLITE_BUSY after the busy timeout, as when a long job holds the database.
 */
import { join } from 'node:path';
import { EmbeddedStore } from '@edusentry/core';

type Exec = { db: { exec(sql: string): void } };

export function embeddedWithOutage() {
  let path = '';
  let holder: EmbeddedStore | undefined;
  return {
    store: async (dir: string) => {
      path = join(dir, 'data', 'events.db');
      const s = new EmbeddedStore({ path });
      await s.init();
      return s;
    },
    outage: {
      begin: () => {
        holder = new EmbeddedStore({ path });
        (holder as unknown as Exec).db.exec('BEGIN EXCLUSIVE');
      },
      end: () => {
        (holder as unknown as Exec).db.exec('COMMIT');
        void holder?.close();
        holder = undefined;
      },
    },
  };
}
