/**
 * How an event becomes a row of the embedded store: the filter fields are read in
 * JavaScript once and bound as plain columns (an index on a generated column would
 * run json_extract over the whole document for every index at every insert), and the
 * id is deduplicated through its integer key (see id-key.ts).
 */
import type Database from 'better-sqlite3';
import type { EcsEvent } from '../../schema/ecs';
import { idKey, ID_KEY_PROBES } from './id-key';

/** Fields stored as plain columns, filled at write and update; each has an index where it is set. */
export const PLAIN_COLUMNS: Record<string, string> = {
  'source.ip': 'source_ip',
  'destination.ip': 'destination_ip',
  'destination.port': 'destination_port',
  'event.severity': 'severity',
  'rule.id': 'rule_id',
  'edu.alert.status': 'alert_status',
  'network.community_id': 'community_id',
};

/** Fields kept as virtual generated columns: no index reads them for most rows, so they cost nothing at insert. */
export const VIRTUAL_COLUMNS: Record<string, string> = {
  'event.kind': 'kind',
  'observer.id': 'observer_id',
  'rule.level': 'rule_level',
};

/** Array-valued fields promoted as their JSON text (virtual), read element-wise with json_each. */
export const JSON_COLUMNS: Record<string, string> = { 'threat.tactic.name': 'tactics' };

/** The value SQLite's json_extract would give, so the columns read as the generated ones did. */
function sqlValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** The plain column values of a document, in PLAIN_COLUMNS order. */
export function plainValues(e: any): unknown[] {
  return [
    sqlValue(e.source?.ip),
    sqlValue(e.destination?.ip),
    sqlValue(e.destination?.port),
    sqlValue(e.event?.severity),
    sqlValue(e.rule?.id),
    sqlValue(e.edu?.alert?.status),
    sqlValue(e.network?.community_id),
  ];
}

const PLAIN = Object.values(PLAIN_COLUMNS);
const INSERT_COLUMNS = ['seq', 'id_key', 'id', 'ts', 'ingested', 'dataset', 'org', ...PLAIN, 'doc'];

/** Inserts rows, at most once per event id. */
export class RowWriter {
  private insert: Database.Statement;
  private idAt: Database.Statement;
  private idIn: Database.Statement;
  readonly setPlain: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO events (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT(id_key) DO NOTHING`,
    );
    this.idAt = db.prepare('SELECT id FROM events WHERE id_key = ?').pluck();
    this.idIn = db.prepare('SELECT 1 FROM events WHERE id_key BETWEEN ? AND ? AND id = ?').pluck();
    this.setPlain = db.prepare(
      `UPDATE events SET doc = ?, org = ?, ${PLAIN.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`,
    );
  }

  /**
   * Inserts one row (`seq` null for the next one) unless its id is stored already.
   * Returns whether it was inserted.
   */
  write(
    seq: number | null,
    id: string,
    ts: number,
    ingested: number,
    dataset: string,
    org: string | null,
    e: EcsEvent,
    doc: string,
  ): boolean {
    const key = idKey(id);
    const x = e as any;
    // The plain columns inline (plainValues' order): no array per row on the hot path.
    const inserted = this.insert.run(
      seq,
      key,
      id,
      ts,
      ingested,
      dataset,
      org,
      sqlValue(x.source?.ip),
      sqlValue(x.destination?.ip),
      sqlValue(x.destination?.port),
      sqlValue(x.event?.severity),
      sqlValue(x.rule?.id),
      sqlValue(x.edu?.alert?.status),
      sqlValue(x.network?.community_id),
      doc,
    ).changes;
    if (inserted) return true;
    const p = plainValues(e);
    // The key is taken: by this id (a rewrite), or by another id with the same hash, which
    // sends this one to the next free key. (A rewrite after the retention pruned the other id
    // from the hash's own key would store it twice: that takes a collision, then a prune, then
    // a replay of this very event.)
    if (this.idIn.get(key, key + ID_KEY_PROBES - 1, id) !== undefined) return false;
    for (let probe = 1; probe < ID_KEY_PROBES; probe++) {
      if (this.idAt.get(key + probe) === undefined) {
        this.insert.run(seq, key + probe, id, ts, ingested, dataset, org, ...p, doc);
        return true;
      }
    }
    throw new Error(`event id ${id}: ${ID_KEY_PROBES} other ids share its key`);
  }
}
