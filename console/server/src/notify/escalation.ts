/**
 * The overdue escalation timer: before the deadline (each configured reminder) the
 * target and the issuer are reminded, at the deadline they and the issuer's parent
 * organisation are told it is overdue. Each step is sent once per notice (recorded
 * in notice_escalations), so a restart does not repeat it.
 */
import type { Logger } from '@edusentry/core';
import type { Notices } from '../state/notices';
import type { NoticeEvents } from './notice-events';

const spanMs = (s: string) => Number(s.slice(0, -1)) * (s.endsWith('d') ? 86_400_000 : 3_600_000);

export class Escalation {
  private timer: NodeJS.Timeout | null = null;
  private readonly reminders: { step: string; ms: number }[];

  constructor(
    private readonly notices: Notices,
    private readonly events: NoticeEvents,
    private readonly opts: { remindBefore: string[]; checkMs: number; now: () => number; log: Logger },
  ) {
    this.reminders = opts.remindBefore.map((s) => ({ step: `remind:${s}`, ms: spanMs(s) }));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch (err) {
        this.opts.log.error({ err }, 'notices: escalation check failed');
      }
    }, this.opts.checkMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; returns the steps sent. */
  check(): { noticeId: string; step: string }[] {
    const now = this.opts.now();
    const horizon = Math.max(0, ...this.reminders.map((r) => r.ms));
    const sent: { noticeId: string; step: string }[] = [];
    for (const n of this.notices.openDueBefore(now + horizon + 1)) {
      const deadline = Date.parse(n.deadline);
      if (now >= deadline) {
        if (this.notices.markEscalated(n.id, 'overdue')) {
          this.events.emit('notice.overdue', n);
          sent.push({ noticeId: n.id, step: 'overdue' });
        }
        continue;
      }
      // Only the nearest reminder due: a notice issued 2 h before its deadline gets the 2 h reminder, not also the 24 h one.
      const due = this.reminders.filter((r) => now >= deadline - r.ms).sort((a, b) => a.ms - b.ms)[0];
      if (due && this.notices.markEscalated(n.id, due.step)) {
        for (const r of this.reminders) if (r.ms > due.ms) this.notices.markEscalated(n.id, r.step);
        this.events.emit('notice.reminder', n, `距截止不足 ${due.step.slice(7)}`);
        sent.push({ noticeId: n.id, step: due.step });
      }
    }
    return sent;
  }
}
