/**
 * The embedded store's schema as a list of migrations (PRAGMA user_version counts the
 * ones applied). A data directory of any earlier version opens and is brought forward;
 * migrations already shipped are never edited.
 */
import type Database from 'better-sqlite3';
import { ROLLUP_SCHEMA } from './rollup';
import { JSON_COLUMNS, PLAIN_COLUMNS, RowWriter, VIRTUAL_COLUMNS } from './rows';

type Migration = string | ((db: Database.Database) => void);

/** Migration 2's generated columns (as they were: later versions read them as plain columns). */
const V2_COLUMNS: Record<string, string> = {
  'event.kind': 'kind',
  'source.ip': 'source_ip',
  'destination.ip': 'destination_ip',
  'destination.port': 'destination_port',
  'event.severity': 'severity',
  'rule.id': 'rule_id',
  'edu.alert.status': 'alert_status',
  'observer.id': 'observer_id',
  'network.community_id': 'community_id',
};

/**
 * Alerts are few (about one per few hundred events) but the console reads them all day:
 * partial indexes that hold every column the posture and alert list read, so those
 * queries never touch the event rows. Queries name `dataset = 'alert'` literally to use them.
 */
const ALERT_INDEXES = `
  CREATE INDEX events_alert_ts ON events(ts, org, alert_status, rule_level, rule_id, source_ip, destination_ip, tactics)
    WHERE dataset = 'alert';
  CREATE INDEX events_alert_open ON events(alert_status, rule_level, org) WHERE dataset = 'alert';`;
/** One rule's alerts (the posture's top rules: count and latest) without scanning all alerts. */
const ALERT_RULE_INDEX = `CREATE INDEX events_alert_rule ON events(rule_id, ts, org) WHERE dataset = 'alert';`;

/**
 * Version 6's events table. Ingest order is `seq` (AUTOINCREMENT: never reused, even when
 * the retention empties the table, so a tail cursor stays valid). `id_key` deduplicates.
 * `event.ingested` is the `ingested` column, put back into the document when it is read.
 */
const EVENTS_V6 = `CREATE TABLE events (
   seq INTEGER PRIMARY KEY AUTOINCREMENT,
   id_key INTEGER NOT NULL UNIQUE,
   id TEXT NOT NULL,
   ts INTEGER NOT NULL,
   ingested INTEGER NOT NULL,
   dataset TEXT NOT NULL,
   org TEXT,
   ${Object.values(PLAIN_COLUMNS)
     .map((c) => `${c},`)
     .join(' ')}
   doc TEXT NOT NULL,
   ${Object.entries(VIRTUAL_COLUMNS)
     .map(([field, col]) => `${col} GENERATED ALWAYS AS (json_extract(doc, '$.${field}')) VIRTUAL`)
     .concat(
       Object.entries(JSON_COLUMNS).map(([field, col]) => `${col} GENERATED ALWAYS AS (doc -> '$.${field}') VIRTUAL`),
     )
     .join(',\n   ')}
 )`;

/** The hour of an event, as the address indexes and the queries that use them write it. */
export const HOUR_MS = 3_600_000;
export const HOUR_SQL = `ts / ${HOUR_MS}`;
/**
 * Address columns: nearly every event has both, with values all over the key space, so a plain
 * index on one takes each insert to a random page (and a commit rewrites every page it touched).
 * Led by the hour, the index takes inserts into the current hour's few pages; a query names the
 * hours it covers (see hourSpan in store.ts) and seeks each.
 */
export const ADDRESS_COLUMNS = ['source_ip', 'destination_ip'];

/**
 * Version 6's secondary indexes. Each costs a B-tree insert per event, so only what the
 * queries need: time, organisation and dataset ranges, the address and port filters of
 * the event search, and (sparse, so nearly free) the alert and community-id columns.
 */
const INDEXES_V6 = `
  CREATE INDEX events_ts ON events(ts);
  CREATE INDEX events_org_ts ON events(org, ts);
  CREATE INDEX events_dataset_ts ON events(dataset, ts);
  ${Object.values(PLAIN_COLUMNS)
    .map((c) =>
      ADDRESS_COLUMNS.includes(c)
        ? `CREATE INDEX events_${c} ON events(${HOUR_SQL}, ${c}) WHERE ${c} IS NOT NULL;`
        : `CREATE INDEX events_${c} ON events(${c}) WHERE ${c} IS NOT NULL;`,
    )
    .join('\n  ')}
  ${ALERT_INDEXES}
  ${ALERT_RULE_INDEX}`;

/** Migration 6: the events table rebuilt with plain filter columns and the integer id key, rows and seq kept. */
function rebuildEvents(db: Database.Database): void {
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get() as
    number | undefined;
  db.exec('ALTER TABLE events RENAME TO events_v5');
  const oldIndexes = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events_v5' AND sql IS NOT NULL")
    .pluck()
    .all() as string[];
  for (const name of oldIndexes) db.exec(`DROP INDEX ${name}`);
  db.exec(EVENTS_V6);
  const plain = Object.values(PLAIN_COLUMNS);
  // Version 5 computed the same columns from the document (json_extract), so they copy as they are.
  db.exec(
    `INSERT INTO events (seq, id_key, id, ts, ingested, dataset, org, ${plain.join(', ')}, doc)
     SELECT seq, edu_id_key(id), id, ts, ingested, dataset, org, ${plain.join(', ')}, doc FROM events_v5 WHERE true
     ON CONFLICT(id_key) DO NOTHING`,
  );
  // Ids whose hash another id took first: the writer puts them on the next free key.
  const left = db
    .prepare(
      'SELECT seq, id, ts, ingested, dataset, org, doc FROM events_v5 WHERE seq NOT IN (SELECT seq FROM events) ORDER BY seq',
    )
    .all() as {
    seq: number;
    id: string;
    ts: number;
    ingested: number;
    dataset: string;
    org: string | null;
    doc: string;
  }[];
  const writer = new RowWriter(db);
  for (const r of left) writer.write(r.seq, r.id, r.ts, r.ingested, r.dataset, r.org, JSON.parse(r.doc), r.doc);
  db.exec('DROP TABLE events_v5');
  if (sequence !== undefined) {
    db.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'events'").run(sequence);
    if (!db.prepare("SELECT 1 FROM sqlite_sequence WHERE name = 'events'").get())
      db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?)").run(sequence);
  }
  db.exec(INDEXES_V6);
}

export const MIGRATIONS: Migration[] = [
  `CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     ts INTEGER NOT NULL,
     ingested INTEGER NOT NULL,
     dataset TEXT NOT NULL,
     org TEXT,
     doc TEXT NOT NULL
   );
   CREATE INDEX events_ts ON events(ts);
   CREATE INDEX events_org_ts ON events(org, ts);
   CREATE INDEX events_dataset_ts ON events(dataset, ts);
   CREATE TABLE quarantine (id TEXT, dataset TEXT, reason TEXT NOT NULL, doc TEXT, at INTEGER NOT NULL);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  Object.entries(V2_COLUMNS)
    .map(
      ([field, col]) =>
        `ALTER TABLE events ADD COLUMN ${col} GENERATED ALWAYS AS (json_extract(doc, '$.${field}')) VIRTUAL;
         CREATE INDEX events_${col} ON events(${col}) WHERE ${col} IS NOT NULL;`,
    )
    .join('\n'),
  // Write path: every index costs a B-tree insert per event. event.kind and observer.id have
  // a handful of values each, so their indexes never narrow a query; dataset/org/ts ones do.
  `DROP INDEX IF EXISTS events_kind;
   DROP INDEX IF EXISTS events_observer_id;`,
  `ALTER TABLE events ADD COLUMN rule_level GENERATED ALWAYS AS (json_extract(doc, '$.rule.level')) VIRTUAL;
   ALTER TABLE events ADD COLUMN tactics GENERATED ALWAYS AS (doc -> '$.threat.tactic.name') VIRTUAL;
   ${ALERT_INDEXES}
   ${ROLLUP_SCHEMA}`,
  ALERT_RULE_INDEX,
  rebuildEvents,
];

/** Applies the migrations a database lacks, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    const m = MIGRATIONS[v];
    db.transaction(() => {
      if (typeof m === 'string') db.exec(m);
      else m(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
