/**
 * Who hears of what happens to a notice: the bell of the people concerned and the
 * outbound queue (whose rules pick the channels). The target's officers hear of a
 * new, returned, accepted or withdrawn notice; the issuer's monitors of progress; on
 * overdue the issuer's parent organisation too.
 */
import type { Logger } from '@edusentry/core';
import { can, ROLES, type Permission } from '../auth/roles';
import type { ConsoleState } from '../state';
import type { Notice } from '../state/notices';
import type { Bell } from './bell';
import type { NotifyQueue } from './queue';

export type NoticeEvent =
  | 'notice.issued'
  | 'notice.acknowledged'
  | 'notice.submitted'
  | 'notice.returned'
  | 'notice.closed'
  | 'notice.withdrawn'
  | 'notice.forwarded'
  | 'notice.reminder'
  | 'notice.overdue';

const TITLES: Record<NoticeEvent, string> = {
  'notice.issued': '新通报',
  'notice.acknowledged': '通报已签收',
  'notice.submitted': '整改已提交',
  'notice.returned': '整改被退回',
  'notice.closed': '通报已办结',
  'notice.withdrawn': '通报已撤回',
  'notice.forwarded': '通报已转发',
  'notice.reminder': '通报即将到期',
  'notice.overdue': '通报已逾期',
};

type Audience = 'target' | 'issuer' | 'issuerParent';
const AUDIENCE: Record<NoticeEvent, Audience[]> = {
  'notice.issued': ['target'],
  'notice.acknowledged': ['issuer'],
  'notice.submitted': ['issuer'],
  'notice.returned': ['target'],
  'notice.closed': ['target'],
  'notice.withdrawn': ['target'],
  'notice.forwarded': ['issuer'],
  'notice.reminder': ['target', 'issuer'],
  'notice.overdue': ['target', 'issuer', 'issuerParent'],
};

export class NoticeEvents {
  constructor(
    private readonly state: ConsoleState,
    private readonly bell: Bell,
    private readonly queue: NotifyQueue,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  private usersWith(permission: Permission, orgId: string | null | undefined): string[] {
    if (!orgId) return [];
    const roles = ROLES.filter((r) => can(r, permission));
    return this.state.users
      .withRoles(roles, [orgId])
      .filter((u) => !u.disabled)
      .map((u) => u.id);
  }

  recipients(event: NoticeEvent, n: Notice): string[] {
    const out: string[] = [];
    for (const a of AUDIENCE[event]) {
      if (a === 'target') out.push(...this.usersWith('notices:rectify', n.orgId));
      if (a === 'issuer') out.push(...this.usersWith('notices:issue', n.issuerOrgId));
      if (a === 'issuerParent')
        out.push(...this.usersWith('notices:issue', this.state.orgs.get(n.issuerOrgId)?.parentId));
    }
    return [...new Set(out)];
  }

  emit(event: NoticeEvent, n: Notice, note = ''): void {
    try {
      const org = this.state.orgs.get(n.orgId)?.name ?? n.orgId;
      const title = `${TITLES[event]} ${n.number}：${n.title}`;
      this.bell.add(this.recipients(event, n), { event, noticeId: n.id, title });
      const text = [
        `编号 ${n.number} · ${n.severity} · ${n.category}`,
        `对象 ${org} · 状态 ${n.status}${n.overdue ? ' · 已逾期' : ''}`,
        `整改期限 ${n.deadline}`,
        ...(note ? [note] : []),
      ].join('\n');
      this.queue.publish({
        event,
        title,
        text,
        severity: n.severity,
        orgId: n.orgId,
        noticeId: n.id,
        at: new Date(this.now()).toISOString(),
      });
    } catch (err) {
      // Telling people is never allowed to undo the change itself.
      this.log.error({ err, event, notice: n.id }, 'notify: could not record a notice event');
    }
  }
}
