/**
 * Incidents: one or more alerts escalated, graded by the education-sector scale
 * and categorised by GB/Z 20986, with an owner and a timeline, open → closed.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import { iso } from './db';

export const GRADES = ['特别重大', '重大', '较大', '一般'] as const;
export const CATEGORIES = [
  '有害程序事件',
  '网络攻击事件',
  '信息破坏事件',
  '信息内容安全事件',
  '设备设施故障',
  '灾害性事件',
  '其他',
] as const;
export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'closed'] as const;
export type Grade = (typeof GRADES)[number];
export type Category = (typeof CATEGORIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type TimelineKind = 'created' | 'status' | 'update' | 'action' | 'evidence' | 'note' | 'alert';

export interface TimelineEntry {
  id: number;
  at: string;
  actor: string;
  kind: TimelineKind;
  text: string;
}

export interface Incident {
  id: string;
  title: string;
  description: string;
  grade: Grade;
  category: Category;
  status: IncidentStatus;
  orgId: string;
  owner: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  alertIds: string[];
  timeline?: TimelineEntry[];
}

/** Forward any number of steps; closed may only be reopened. */
export function allowedTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  if (from === to) return true;
  if (from === 'closed') return to === 'open';
  return INCIDENT_STATUSES.indexOf(to) > INCIDENT_STATUSES.indexOf(from);
}

export class Incidents {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  create(i: {
    title: string;
    description?: string;
    grade: Grade;
    category: Category;
    orgId: string;
    owner?: string | null;
    createdBy: string;
    alertIds: string[];
  }): Incident {
    const id = `INC-${new Date(this.now()).toISOString().slice(0, 10).replaceAll('-', '')}-${randomUUID().slice(0, 8)}`;
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO incidents (id, title, description, grade, category, status, org_id, owner, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          id,
          i.title,
          i.description ?? '',
          i.grade,
          i.category,
          'open',
          i.orgId,
          i.owner ?? null,
          i.createdBy,
          now,
          now,
        );
      for (const a of new Set(i.alertIds))
        this.db.prepare('INSERT INTO incident_alerts (incident_id, alert_id) VALUES (?, ?)').run(id, a);
      this.addTimeline(id, i.createdBy, 'created', `${i.grade} · ${i.category} · ${i.alertIds.length} alert(s)`);
    })();
    return this.get(id, true)!;
  }

  get(id: string, withTimeline = false): Incident | undefined {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as any;
    if (!row) return undefined;
    const inc = this.toIncident(row);
    if (withTimeline) {
      inc.timeline = (
        this.db.prepare('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY id').all(id) as any[]
      ).map((r) => ({
        id: r.id,
        at: iso(r.at)!,
        actor: r.actor,
        kind: r.kind,
        text: r.text,
      }));
    }
    return inc;
  }

  list(q: {
    orgIds: string[];
    status?: string;
    grade?: string;
    category?: string;
    text?: string;
    limit: number;
    offset: number;
  }): { total: number; items: Incident[] } {
    if (!q.orgIds.length) return { total: 0, items: [] };
    const where = [`org_id IN (${q.orgIds.map(() => '?').join(',')})`];
    const params: unknown[] = [...q.orgIds];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.grade) {
      where.push('grade = ?');
      params.push(q.grade);
    }
    if (q.category) {
      where.push('category = ?');
      params.push(q.category);
    }
    if (q.text) {
      where.push('(instr(lower(title), lower(?)) > 0 OR instr(lower(id), lower(?)) > 0)');
      params.push(q.text, q.text);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT count(*) n FROM incidents WHERE ${w}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM incidents WHERE ${w} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as any[];
    return { total, items: rows.map((r) => this.toIncident(r)) };
  }

  update(
    id: string,
    actor: string,
    patch: {
      title?: string;
      description?: string;
      grade?: Grade;
      category?: Category;
      owner?: string | null;
      status?: IncidentStatus;
    },
  ): Incident {
    const cur = this.get(id)!;
    const now = this.now();
    this.db.transaction(() => {
      const next = {
        ...cur,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      } as Incident;
      const closedAt =
        next.status === 'closed' ? (cur.status === 'closed' ? cur.closedAt && Date.parse(cur.closedAt) : now) : null;
      this.db
        .prepare(
          'UPDATE incidents SET title = ?, description = ?, grade = ?, category = ?, owner = ?, status = ?, updated_at = ?, closed_at = ? WHERE id = ?',
        )
        .run(
          next.title,
          next.description,
          next.grade,
          next.category,
          next.owner,
          next.status,
          now,
          closedAt || null,
          id,
        );
      if (patch.status && patch.status !== cur.status)
        this.addTimeline(id, actor, 'status', `${cur.status} → ${patch.status}`);
      const changed = (['title', 'description', 'grade', 'category', 'owner'] as const).filter(
        (k) => patch[k] !== undefined && patch[k] !== cur[k],
      );
      if (changed.length)
        this.addTimeline(id, actor, 'update', changed.map((k) => `${k}: ${patch[k] ?? '-'}`).join('; '));
    })();
    return this.get(id, true)!;
  }

  addAlerts(id: string, actor: string, alertIds: string[]): Incident {
    this.db.transaction(() => {
      const added = alertIds.filter(
        (a) =>
          this.db.prepare('INSERT OR IGNORE INTO incident_alerts (incident_id, alert_id) VALUES (?, ?)').run(id, a)
            .changes > 0,
      );
      if (added.length) this.addTimeline(id, actor, 'alert', `linked ${added.join(', ')}`);
      this.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(this.now(), id);
    })();
    return this.get(id, true)!;
  }

  addTimeline(incidentId: string, actor: string, kind: TimelineKind, text: string): TimelineEntry {
    const at = this.now();
    const r = this.db
      .prepare('INSERT INTO incident_timeline (incident_id, at, actor, kind, text) VALUES (?, ?, ?, ?, ?)')
      .run(incidentId, at, actor, kind, text);
    return { id: Number(r.lastInsertRowid), at: iso(at)!, actor, kind, text };
  }

  forAlert(alertId: string): { id: string; title: string; orgId: string }[] {
    return this.db
      .prepare(
        'SELECT i.id, i.title, i.org_id orgId FROM incidents i JOIN incident_alerts a ON a.incident_id = i.id WHERE a.alert_id = ? ORDER BY i.created_at',
      )
      .all(alertId) as { id: string; title: string; orgId: string }[];
  }

  private toIncident(r: any): Incident {
    const alertIds = (
      this.db.prepare('SELECT alert_id FROM incident_alerts WHERE incident_id = ? ORDER BY alert_id').all(r.id) as {
        alert_id: string;
      }[]
    ).map((a) => a.alert_id);
    return {
      id: r.id,
      title: r.title,
      description: r.description,
      grade: r.grade,
      category: r.category,
      status: r.status,
      orgId: r.org_id,
      owner: r.owner,
      createdBy: r.created_by,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      closedAt: iso(r.closed_at),
      alertIds,
    };
  }
}
