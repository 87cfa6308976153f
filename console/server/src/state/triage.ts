/** Who changed which alert, when, and the notes on it. The alert's current state is in the EventStore. */
import type { Db } from './db';
import { iso } from './db';

export type TriageAction = 'acknowledge' | 'assign' | 'false_positive' | 'close' | 'reopen';
export const TRIAGE_ACTIONS: TriageAction[] = ['acknowledge', 'assign', 'false_positive', 'close', 'reopen'];

export interface TriageEntry {
  id: number;
  alertId: string;
  at: string;
  actor: string;
  action: TriageAction;
  from: string | null;
  to: string | null;
  assignee: string | null;
  reason: string | null;
}

export interface Note {
  id: number;
  alertId: string;
  at: string;
  author: string;
  text: string;
}

export class Triage {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  record(e: {
    alertId: string;
    orgId: string | null;
    actor: string;
    action: TriageAction;
    from: string | null;
    to: string | null;
    assignee?: string | null;
    reason?: string | null;
  }): TriageEntry {
    const at = this.now();
    const r = this.db
      .prepare(
        'INSERT INTO alert_triage (alert_id, org_id, at, actor, action, from_status, to_status, assignee, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(e.alertId, e.orgId, at, e.actor, e.action, e.from, e.to, e.assignee ?? null, e.reason ?? null);
    return {
      id: Number(r.lastInsertRowid),
      alertId: e.alertId,
      at: iso(at)!,
      actor: e.actor,
      action: e.action,
      from: e.from,
      to: e.to,
      assignee: e.assignee ?? null,
      reason: e.reason ?? null,
    };
  }

  history(alertId: string): TriageEntry[] {
    const rows = this.db.prepare('SELECT * FROM alert_triage WHERE alert_id = ? ORDER BY id').all(alertId) as any[];
    return rows.map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      at: iso(r.at)!,
      actor: r.actor,
      action: r.action,
      from: r.from_status,
      to: r.to_status,
      assignee: r.assignee,
      reason: r.reason,
    }));
  }

  addNote(alertId: string, orgId: string | null, author: string, text: string): Note {
    const at = this.now();
    const r = this.db
      .prepare('INSERT INTO alert_notes (alert_id, org_id, at, author, text) VALUES (?, ?, ?, ?, ?)')
      .run(alertId, orgId, at, author, text);
    return { id: Number(r.lastInsertRowid), alertId, at: iso(at)!, author, text };
  }

  notes(alertId: string): Note[] {
    const rows = this.db.prepare('SELECT * FROM alert_notes WHERE alert_id = ? ORDER BY id').all(alertId) as any[];
    return rows.map((r) => ({ id: r.id, alertId: r.alert_id, at: iso(r.at)!, author: r.author, text: r.text }));
  }
}
