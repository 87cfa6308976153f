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
  // Notices (通报—整改—复核), their attachments and escalations; the outbound notification queue and the bell.
  `CREATE TABLE notices (
     id TEXT PRIMARY KEY, number TEXT NOT NULL, issuer_org_id TEXT NOT NULL, author TEXT NOT NULL, org_id TEXT NOT NULL,
     parent_id TEXT REFERENCES notices(id), title TEXT NOT NULL, category TEXT NOT NULL, severity TEXT NOT NULL,
     actions TEXT NOT NULL, deadline INTEGER NOT NULL, status TEXT NOT NULL, source TEXT, report TEXT,
     returns INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
     acknowledged_at INTEGER, submitted_at INTEGER, closed_at INTEGER, UNIQUE (issuer_org_id, number));
   CREATE INDEX notices_org ON notices(org_id, created_at);
   CREATE INDEX notices_parent ON notices(parent_id);
   CREATE TABLE notice_numbers (org_id TEXT NOT NULL, year TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (org_id, year));
   CREATE TABLE notice_timeline (
     id INTEGER PRIMARY KEY AUTOINCREMENT, notice_id TEXT NOT NULL REFERENCES notices(id), at INTEGER NOT NULL,
     actor TEXT NOT NULL, action TEXT NOT NULL, from_status TEXT, to_status TEXT, comment TEXT NOT NULL,
     attachment_ids TEXT);
   CREATE INDEX notice_timeline_notice ON notice_timeline(notice_id);
   CREATE TABLE notice_attachments (
     id TEXT PRIMARY KEY, notice_id TEXT NOT NULL REFERENCES notices(id), name TEXT NOT NULL, size INTEGER NOT NULL,
     sha256 TEXT NOT NULL, type TEXT NOT NULL, uploaded_by TEXT NOT NULL, org_id TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE INDEX notice_attachments_notice ON notice_attachments(notice_id);
   CREATE TABLE notice_escalations (notice_id TEXT NOT NULL, step TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (notice_id, step));
   CREATE TABLE notify_queue (
     id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, event TEXT NOT NULL, message TEXT NOT NULL,
     status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
     delivered_at INTEGER, last_error TEXT);
   CREATE INDEX notify_queue_due ON notify_queue(status, next_at);
   CREATE TABLE notify_attempts (
     id INTEGER PRIMARY KEY AUTOINCREMENT, queue_id INTEGER NOT NULL REFERENCES notify_queue(id), at INTEGER NOT NULL,
     ok INTEGER NOT NULL, error TEXT);
   CREATE INDEX notify_attempts_queue ON notify_attempts(queue_id);
   CREATE TABLE notifications (
     id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, event TEXT NOT NULL, notice_id TEXT,
     title TEXT NOT NULL, at INTEGER NOT NULL, read_at INTEGER);
   CREATE INDEX notifications_user ON notifications(user_id, read_at);`,
  // 三员 separation: an account may have no role until the security administrator grants one, and a
  // password someone else set must be changed at the owner's next login. SQLite cannot drop NOT NULL in place.
  `CREATE TABLE users_v2 (
     id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT NOT NULL DEFAULT '',
     role TEXT, org_id TEXT NOT NULL REFERENCES orgs(id), password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER,
     created_at INTEGER NOT NULL, last_login_at INTEGER, password_changed_at INTEGER NOT NULL,
     must_change_password INTEGER NOT NULL DEFAULT 0);
   INSERT INTO users_v2 (id, username, display_name, role, org_id, password_hash, disabled, failed_logins,
     locked_until, created_at, last_login_at, password_changed_at)
     SELECT id, username, display_name, role, org_id, password_hash, disabled, failed_logins,
     locked_until, created_at, last_login_at, password_changed_at FROM users;
   DROP TABLE users;
   ALTER TABLE users_v2 RENAME TO users;`,
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
