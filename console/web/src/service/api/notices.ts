/** 通报—整改—复核 (console/server API.md, "Notices"): shapes and calls. */
import { http } from '../request';

export type NoticeStatus = 'issued' | 'acknowledged' | 'submitted' | 'returned' | 'closed' | 'withdrawn';
export type NoticeGrade = '特别重大' | '重大' | '较大' | '一般';
export type SourceKind = 'alert' | 'incident' | 'site';

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
  severity: NoticeGrade;
  actions: string;
  deadline: string;
  status: NoticeStatus;
  overdue: boolean;
  source: { kind: SourceKind; ids: string[] } | null;
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

export interface NoticeMeta {
  statuses: NoticeStatus[];
  severities: NoticeGrade[];
  categories: string[];
  sourceKinds: SourceKind[];
  deadlines: Record<NoticeGrade, string>;
  attachments: { maxBytes: number };
}

export interface NoticeFigures {
  issued: number;
  open: number;
  closed: number;
  closedOnTime: number;
  overdueOpen: number;
  onTimeRate: number | null;
  medianHoursToClose: number | null;
  p90HoursToClose: number | null;
  returnsPerNotice: number | null;
}

export interface NoticeStats {
  from: string;
  to: string;
  orgId: string;
  total: NoticeFigures;
  items: (NoticeFigures & { orgId: string; name: string; level: string })[];
}

export interface NoticeCreateBody {
  orgId: string;
  title: string;
  category: string;
  severity: NoticeGrade;
  actions: string;
  deadline?: string;
  source?: { kind: SourceKind; ids: string[] };
}

export interface BellItem {
  id: number;
  event: string;
  noticeId: string | null;
  title: string;
  at: string;
  read: boolean;
}

const path = (id: string, rest = '') => `/api/notices/${encodeURIComponent(id)}${rest}`;

export const fetchNoticeMeta = () => http.get<NoticeMeta>('/api/notices/meta');
export const fetchNoticeList = (q: {
  page?: number;
  pageSize?: number;
  status?: NoticeStatus;
  orgId?: string;
  overdue?: boolean;
}) => http.get<Api.Common.Page<Notice>>('/api/notices', { ...q });
export const fetchNoticeDetail = (id: string) => http.get<Notice>(path(id));
export const fetchCreateNotice = (body: NoticeCreateBody) => http.post<Notice>('/api/notices', body);
export const fetchAcknowledgeNotice = (id: string, comment?: string) =>
  http.post<Notice>(path(id, '/acknowledge'), comment ? { comment } : {});
export const fetchSubmitNotice = (id: string, report: string, attachmentIds: string[]) =>
  http.post<Notice>(path(id, '/submit'), { report, attachmentIds });
export const fetchReviewNotice = (id: string, decision: 'accept' | 'return', comment: string) =>
  http.post<Notice>(path(id, '/review'), { decision, comment });
export const fetchForwardNotice = (id: string, orgIds: string[]) =>
  http.post<{ notice: Notice; children: Notice[] }>(path(id, '/forward'), { orgIds });
export const fetchWithdrawNotice = (id: string, comment: string) =>
  http.post<Notice>(path(id, '/withdraw'), { comment });
export const fetchNoticeStats = (q: { from?: string; to?: string; orgId?: string }) =>
  http.get<NoticeStats>('/api/notices/stats', { ...q });
export const fetchBell = (limit = 20) =>
  http.get<{ unread: number; items: BellItem[] }>('/api/notifications', { limit }, { silent: true });
export const fetchBellRead = (ids?: number[]) =>
  http.post<{ marked: number }>('/api/notifications/read', ids ? { ids } : {});

/** The download URL of an attachment (served as a download, never inline). */
export const attachmentUrl = (id: string, aid: string) => path(id, `/attachments/${encodeURIComponent(aid)}`);

/** Multipart upload: the JSON request helper cannot send a file; same session, same CSRF header. */
export async function uploadNoticeAttachment(id: string, file: File, csrfToken: string) {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetch(path(id, '/attachments'), {
    method: 'POST',
    body: form,
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrfToken, accept: 'application/json' },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.message ?? res.statusText), { code: body.code, status: res.status });
  return body as { id: string; name: string; size: number; sha256: string; type: string };
}
