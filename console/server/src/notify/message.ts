/** What every channel sends: one event, rendered by each channel in its own format. */
export interface NotifyMessage {
  /** notice.issued, notice.overdue, alert.new, site.down, … */
  event: string;
  title: string;
  /** Plain text, several lines. */
  text: string;
  /** A notice grade or an alert severity, for routing by minSeverity. */
  severity?: string;
  /** The organisation the event is about, for routing by orgId. */
  orgId?: string;
  noticeId?: string;
  at: string;
}

/** Notice grades and alert severities on one scale, so a route's minSeverity may use either. */
const RANK: Record<string, number> = {
  informational: 0,
  low: 1,
  一般: 1,
  medium: 2,
  较大: 2,
  high: 3,
  重大: 3,
  critical: 4,
  特别重大: 4,
};

export function severityRank(s: string | undefined): number {
  return s === undefined ? -1 : (RANK[s] ?? -1);
}

export function isSeverity(s: string): boolean {
  return s in RANK;
}
