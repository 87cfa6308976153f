/**
 * The console's application state: one SQLite file (better-sqlite3) with numbered
 * migrations (PRAGMA user_version). Users, the organisation tree, alert triage
 * history and notes, incidents and the hash-chained audit trail live here; events
 * and alerts themselves live in the EventStore.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const MIGRATIONS: string[] = [
  `CREATE TABLE orgs (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL CHECK (level IN ('province','city','school')),
     parent_id TEXT REFERENCES orgs(id), cidrs TEXT NOT NULL DEFAULT '[]');
   CREATE TABLE users (
     id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL DEFAULT '',
     role TEXT NOT NULL, org_id TEXT NOT NULL REFERENCES orgs(id), password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER,
     created_at INTEGER NOT NULL, last_login_at INTEGER, password_changed_at INTEGER NOT NULL);
   CREATE TABLE alert_triage (
     id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, org_id TEXT, at INTEGER NOT NULL, actor TEXT NOT NULL,
     action TEXT NOT NULL, from_status TEXT, to_status TEXT, assignee TEXT, reason TEXT);
   CREATE INDEX alert_triage_alert ON alert_triage(alert_id);
   CREATE TABLE alert_notes (
     id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, org_id TEXT, at INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL);
   CREATE INDEX alert_notes_alert ON alert_notes(alert_id);
   CREATE TABLE incidents (
     id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', grade TEXT NOT NULL, category TEXT NOT NULL,
     status TEXT NOT NULL, org_id TEXT NOT NULL, owner TEXT, created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, closed_at INTEGER);
   CREATE INDEX incidents_org ON incidents(org_id, created_at);
   CREATE TABLE incident_alerts (incident_id TEXT NOT NULL REFERENCES incidents(id), alert_id TEXT NOT NULL, PRIMARY KEY (incident_id, alert_id));
   CREATE INDEX incident_alerts_alert ON incident_alerts(alert_id);
   CREATE TABLE incident_timeline (
     id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL REFERENCES incidents(id), at INTEGER NOT NULL,
     actor TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL);
   CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT, role TEXT, org_id TEXT, ip TEXT, action TEXT NOT NULL,
     target TEXT, outcome TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
   CREATE INDEX audit_at ON audit(at);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export type Db = Database.Database;

export function openStateDb(path: string): Db {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
