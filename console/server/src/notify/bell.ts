/** The in-console bell: one row per user and event, read or unread. */
import type { Db } from '../state/db';
import { iso } from '../state/db';

export interface BellItem {
  id: number;
  event: string;
  noticeId: string | null;
  title: string;
  at: string;
  read: boolean;
}

export class Bell {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  add(userIds: string[], n: { event: string; noticeId?: string; title: string }): void {
    const at = this.now();
    const insert = this.db.prepare(
      'INSERT INTO notifications (user_id, event, notice_id, title, at) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const u of new Set(userIds)) insert.run(u, n.event, n.noticeId ?? null, n.title, at);
    })();
  }

  list(userId: string, limit: number): { unread: number; items: BellItem[] } {
    const unread = (
      this.db.prepare('SELECT count(*) n FROM notifications WHERE user_id = ? AND read_at IS NULL').get(userId) as {
        n: number;
      }
    ).n;
    const items = (
      this.db
        .prepare('SELECT * FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?')
        .all(userId, limit) as any[]
    ).map((r) => ({
      id: r.id,
      event: r.event,
      noticeId: r.notice_id,
      title: r.title,
      at: iso(r.at)!,
      read: r.read_at !== null,
    }));
    return { unread, items };
  }

  /** Marks the user's own items read (all when ids is empty); returns how many changed. */
  markRead(userId: string, ids: number[]): number {
    const now = this.now();
    if (!ids.length)
      return this.db
        .prepare('UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL')
        .run(now, userId).changes;
    const stmt = this.db.prepare(
      'UPDATE notifications SET read_at = ? WHERE user_id = ? AND id = ? AND read_at IS NULL',
    );
    return this.db.transaction(() => ids.reduce((n, id) => n + stmt.run(now, userId, id).changes, 0))();
  }
}
