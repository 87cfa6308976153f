/** Severity order, colours and tag types shared by every page. */
export const severities: Api.Common.Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];

export const severityColor: Record<Api.Common.Severity, string> = {
  critical: '#d03050',
  high: '#f0643c',
  medium: '#f0a020',
  low: '#2080f0',
  informational: '#8a8f98',
};

export type TagType = 'error' | 'warning' | 'info' | 'success' | 'default';

export const severityTag: Record<Api.Common.Severity, TagType> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'info',
  informational: 'default',
};

export const alertStatusTag: Record<Api.Alert.Status, TagType> = {
  new: 'error',
  acknowledged: 'warning',
  false_positive: 'default',
  closed: 'success',
};

export const alertStatuses: Api.Alert.Status[] = ['new', 'acknowledged', 'false_positive', 'closed'];

/** Which triage actions make sense from a state (mirrors the server's transitions). */
export function allowedActions(status: Api.Alert.Status): Api.Alert.TriageAction[] {
  switch (status) {
    case 'new':
      return ['acknowledge', 'assign', 'false_positive', 'close'];
    case 'acknowledged':
      return ['assign', 'false_positive', 'close'];
    case 'false_positive':
    case 'closed':
      return ['reopen'];
  }
}
