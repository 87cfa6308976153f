/**
 * Notices (通报): an organisation tells one below it of a problem; the target
 * acknowledges, rectifies and submits a report; the issuer reviews (accepts or returns).
 * A city may forward a notice to its schools as child notices; the parent closes when
 * every child is closed. `overdue` is computed from the deadline, never stored.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import { iso } from './db';
import { CATEGORIES, GRADES, type Grade } from './incidents';

export const NOTICE_STATUSES = ['issued', 'acknowledged', 'submitted', 'returned', 'closed', 'withdrawn'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];
export const NOTICE_CATEGORIES = [...CATEGORIES, '漏洞', '配置', '网站内容'] as const;
export const NOTICE_SEVERITIES = GRADES;
export const SOURCE_KINDS = ['alert', 'incident', 'site'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const OPEN_STATUSES: NoticeStatus[] = ['issued', 'acknowledged', 'submitted', 'returned'];

export type NoticeAction = 'acknowledge' | 'submit' | 'accept' | 'return' | 'withdraw';

/** The state machine: which states each action leaves from, and where it goes. */
export const TRANSITIONS: Record<NoticeAction, { from: NoticeStatus[]; to: NoticeStatus }> = {
  acknowledge: { from: ['issued'], to: 'acknowledged' },
  submit: { from: ['acknowledged', 'returned'], to: 'submitted' },
  accept: { from: ['submitted'], to: 'closed' },
  return: { from: ['submitted'], to: 'returned' },
  withdraw: { from: OPEN_STATUSES, to: 'withdrawn' },
};

/** A notice forwarded to schools may be closed by its issuer before any report (the children carry the work). */
export function allowedFrom(action: NoticeAction, hasChildren: boolean): NoticeStatus[] {
  if (action === 'accept' && hasChildren) return ['acknowledged', 'submitted', 'returned'];
  return TRANSITIONS[action].from;
}

export interface NoticeSource {
  kind: SourceKind;
  ids: string[];
}

export interface NoticeTimelineEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  from: NoticeStatus | null;
  to: NoticeStatus | null;
  comment: string;
  attachmentIds?: string[];
}

export interface NoticeAttachment {
  id: string;
  name: string;
  size: number;
  sha256: string;
  type: string;
  uploadedBy: string;
  orgId: string;
  at: string;
}

export interface Notice {
  id: string;
  number: string;
  issuerOrgId: string;
  author: string;
  orgId: string;
  parentId: string | null;
  childIds: string[];
  title: string;
  category: string;
  severity: Grade;
  actions: string;
  deadline: string;
  status: NoticeStatus;
  overdue: boolean;
  source: NoticeSource | null;
  report: string | null;
  returns: number;
  createdAt: string;
  updatedAt: string;
  acknowledgedAt: string | null;
  submittedAt: string | null;
  closedAt: string | null;
  timeline?: NoticeTimelineEntry[];
  attachments?: NoticeAttachment[];
}

interface Row {
  id: string;
  number: string;
  issuer_org_id: string;
  author: string;
  org_id: string;
  parent_id: string | null;
  title: string;
  category: string;
  severity: Grade;
  actions: string;
  deadline: number;
  status: NoticeStatus;
  source: string | null;
  report: string | null;
  returns: number;
  created_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  submitted_at: number | null;
  closed_at: number | null;
}

/** What the stats route aggregates, one row per leaf notice (forwarded parents count through their children). */
export interface NoticeFact {
  orgId: string;
  status: NoticeStatus;
  deadline: number;
  createdAt: number;
  closedAt: number | null;
  returns: number;
}

export class Notices {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** TB-YYYY-NNNN, numbered per issuing organisation and (local) year. */
  private nextNumber(issuerOrgId: string, year: string): string {
    const row = this.db
      .prepare(
        `INSERT INTO notice_numbers (org_id, year, last) VALUES (?, ?, 1)
         ON CONFLICT (org_id, year) DO UPDATE SET last = last + 1 RETURNING last`,
      )
      .get(issuerOrgId, year) as { last: number };
    return `TB-${year}-${String(row.last).padStart(4, '0')}`;
  }

  create(n: {
    issuerOrgId: string;
    author: string;
    orgId: string;
    parentId?: string | null;
    title: string;
    category: string;
    severity: Grade;
    actions: string;
    deadline: number;
    source?: NoticeSource | null;
    /** The local year, for the number. */
    year: string;
  }): Notice {
    const id = randomUUID();
    const now = this.now();
    this.db.transaction(() => {
      const number = this.nextNumber(n.issuerOrgId, n.year);
      this.db
        .prepare(
          `INSERT INTO notices (id, number, issuer_org_id, author, org_id, parent_id, title, category, severity, actions,
             deadline, status, source, returns, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, 0, ?, ?)`,
        )
        .run(
          id,
          number,
          n.issuerOrgId,
          n.author,
          n.orgId,
          n.parentId ?? null,
          n.title,
          n.category,
          n.severity,
          n.actions,
          n.deadline,
          n.source ? JSON.stringify(n.source) : null,
          now,
          now,
        );
      this.addTimeline(id, n.author, 'issue', null, 'issued', n.parentId ? `forwarded from ${n.parentId}` : '');
    })();
    return this.get(id, true)!;
  }

  get(id: string, withDetail = false): Notice | undefined {
    const row = this.db.prepare('SELECT * FROM notices WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    const n = this.toNotice(row);
    if (withDetail) {
      n.timeline = (
        this.db.prepare('SELECT * FROM notice_timeline WHERE notice_id = ? ORDER BY id').all(id) as any[]
      ).map((r) => ({
        id: r.id,
        at: iso(r.at)!,
        actor: r.actor,
        action: r.action,
        from: r.from_status,
        to: r.to_status,
        comment: r.comment,
        ...(r.attachment_ids ? { attachmentIds: JSON.parse(r.attachment_ids) } : {}),
      }));
      n.attachments = this.attachments(id);
    }
    return n;
  }

  list(q: {
    orgIds: string[];
    status?: NoticeStatus;
    overdue?: boolean;
    from?: number;
    to?: number;
    limit: number;
    offset: number;
  }): { total: number; items: Notice[] } {
    if (!q.orgIds.length) return { total: 0, items: [] };
    const where = [`org_id IN (${q.orgIds.map(() => '?').join(',')})`];
    const params: unknown[] = [...q.orgIds];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.overdue !== undefined) {
      const open = `status IN (${OPEN_STATUSES.map(() => '?').join(',')})`;
      where.push(q.overdue ? `(${open} AND deadline < ?)` : `NOT (${open} AND deadline < ?)`);
      params.push(...OPEN_STATUSES, this.now());
    }
    if (q.from !== undefined) {
      where.push('created_at >= ?');
      params.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('created_at < ?');
      params.push(q.to);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT count(*) n FROM notices WHERE ${w}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM notices WHERE ${w} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`)
      .all(...params, q.limit, q.offset) as Row[];
    return { total, items: rows.map((r) => this.toNotice(r)) };
  }

  /** Moves a notice along the state machine (the caller checked the transition is allowed). */
  transition(
    id: string,
    actor: string,
    action: NoticeAction | 'forward',
    to: NoticeStatus,
    comment: string,
    extra: { report?: string; attachmentIds?: string[] } = {},
  ): Notice {
    const cur = this.get(id)!;
    const now = this.now();
    const stamp: Partial<Record<NoticeStatus, string>> = {
      acknowledged: 'acknowledged_at',
      submitted: 'submitted_at',
      closed: 'closed_at',
      withdrawn: 'closed_at',
    };
    this.db.transaction(() => {
      const sets = ['status = ?', 'updated_at = ?'];
      const params: unknown[] = [to, now];
      if (stamp[to] && to !== cur.status) {
        sets.push(`${stamp[to]} = ?`);
        params.push(now);
      }
      if (action === 'return') sets.push('returns = returns + 1');
      if (extra.report !== undefined) {
        sets.push('report = ?');
        params.push(extra.report);
      }
      this.db.prepare(`UPDATE notices SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
      this.addTimeline(id, actor, action, cur.status, to, comment, extra.attachmentIds);
    })();
    return this.get(id, true)!;
  }

  addTimeline(
    noticeId: string,
    actor: string,
    action: string,
    from: NoticeStatus | null,
    to: NoticeStatus | null,
    comment: string,
    attachmentIds?: string[],
  ): void {
    this.db
      .prepare(
        'INSERT INTO notice_timeline (notice_id, at, actor, action, from_status, to_status, comment, attachment_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        noticeId,
        this.now(),
        actor,
        action,
        from,
        to,
        comment,
        attachmentIds?.length ? JSON.stringify(attachmentIds) : null,
      );
  }

  children(id: string): Notice[] {
    return (this.db.prepare('SELECT * FROM notices WHERE parent_id = ? ORDER BY created_at, id').all(id) as Row[]).map(
      (r) => this.toNotice(r),
    );
  }

  addAttachment(a: Omit<NoticeAttachment, 'at'> & { noticeId: string }): NoticeAttachment {
    const at = this.now();
    this.db
      .prepare(
        'INSERT INTO notice_attachments (id, notice_id, name, size, sha256, type, uploaded_by, org_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(a.id, a.noticeId, a.name, a.size, a.sha256, a.type, a.uploadedBy, a.orgId, at);
    const { noticeId: _n, ...rest } = a;
    return { ...rest, at: iso(at)! };
  }

  attachments(noticeId: string): NoticeAttachment[] {
    return (
      this.db.prepare('SELECT * FROM notice_attachments WHERE notice_id = ? ORDER BY at, id').all(noticeId) as any[]
    ).map((r) => ({
      id: r.id,
      name: r.name,
      size: r.size,
      sha256: r.sha256,
      type: r.type,
      uploadedBy: r.uploaded_by,
      orgId: r.org_id,
      at: iso(r.at)!,
    }));
  }

  /** Leaf notices (no children) targeted at `orgIds`, created in [from, to), withdrawn ones left out. */
  facts(orgIds: string[], from: number, to: number): NoticeFact[] {
    if (!orgIds.length) return [];
    return (
      this.db
        .prepare(
          `SELECT org_id, status, deadline, created_at, closed_at, returns FROM notices n
           WHERE org_id IN (${orgIds.map(() => '?').join(',')}) AND created_at >= ? AND created_at < ?
             AND status != 'withdrawn' AND NOT EXISTS (SELECT 1 FROM notices c WHERE c.parent_id = n.id)`,
        )
        .all(...orgIds, from, to) as any[]
    ).map((r) => ({
      orgId: r.org_id,
      status: r.status,
      deadline: r.deadline,
      createdAt: r.created_at,
      closedAt: r.closed_at,
      returns: r.returns,
    }));
  }

  /** Open notices whose deadline is before `until` (the escalation timer's work list). */
  openDueBefore(until: number): Notice[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM notices WHERE status IN (${OPEN_STATUSES.map(() => '?').join(',')}) AND deadline < ? ORDER BY deadline`,
        )
        .all(...OPEN_STATUSES, until) as Row[]
    ).map((r) => this.toNotice(r));
  }

  /** Records that an escalation step was sent; false when it already was. */
  markEscalated(noticeId: string, step: string): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO notice_escalations (notice_id, step, at) VALUES (?, ?, ?)')
        .run(noticeId, step, this.now()).changes > 0
    );
  }

  private toNotice(r: Row): Notice {
    const childIds = (
      this.db.prepare('SELECT id FROM notices WHERE parent_id = ? ORDER BY created_at, id').all(r.id) as {
        id: string;
      }[]
    ).map((c) => c.id);
    return {
      id: r.id,
      number: r.number,
      issuerOrgId: r.issuer_org_id,
      author: r.author,
      orgId: r.org_id,
      parentId: r.parent_id,
      childIds,
      title: r.title,
      category: r.category,
      severity: r.severity,
      actions: r.actions,
      deadline: iso(r.deadline)!,
      status: r.status,
      overdue: OPEN_STATUSES.includes(r.status) && this.now() > r.deadline,
      source: r.source ? JSON.parse(r.source) : null,
      report: r.report,
      returns: r.returns,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      acknowledgedAt: iso(r.acknowledged_at),
      submittedAt: iso(r.submitted_at),
      closedAt: iso(r.closed_at),
    };
  }
}
