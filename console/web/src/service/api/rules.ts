/** The security administrator's rules and policies (API.md "Rules and policies"). */
import { http } from '../request';

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface RuleItem {
  id: string;
  title: string;
  kind: 'rule' | 'correlation';
  description?: string;
  status: string | null;
  state: 'active' | 'inactive' | 'pending';
  reason?: string;
  uploaded: boolean;
  datasets: string[];
  enabled: boolean;
  ruleLevel: string | null;
  level: string | null;
  levelOverridden: boolean;
  exceptions: number;
  hits: number;
  /** Alerts the analyzer dropped since it started: switched off, or by a visible exception. */
  dropped: number;
}

export interface UploadedRuleFile {
  id: string;
  file: string;
  sha256: string;
  ruleIds: string[];
  titles: string[];
  uploadedBy: string;
  uploadedAt: string;
}

export interface RuleList {
  from: string;
  to: string;
  policyVersion: number;
  analyzer: null | { policyVersion: number; appliedAt: string; dropsSince: string | null };
  items: RuleItem[];
  rejected: { file: string; line: number; title?: string; message: string }[];
  uploads: UploadedRuleFile[];
}

export interface RuleException {
  id: string;
  ruleId: string;
  source?: string;
  destination?: string;
  url?: string;
  orgId?: string;
  expiresAt: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  expired: boolean;
  /** Alerts it suppressed since the analyzer started. */
  suppressed: number;
}

export interface ExceptionBody {
  ruleId: string;
  source?: string;
  destination?: string;
  url?: string;
  orgId?: string;
  expiresAt: string;
  reason: string;
}

/** One reason an upload was refused (details.problems of EDU_ERR_RULE_INVALID). */
export interface UploadProblem {
  line: number;
  message: string;
  title?: string;
}

export function fetchRules(query: { from?: string; to?: string }) {
  return http.get<RuleList>('/api/rules', query);
}

export function fetchUpdateRule(id: string, body: { enabled?: boolean; level?: SigmaLevel | null }) {
  return http.patch<{ id: string; enabled: boolean; level: string | null; policyVersion: number }>(
    `/api/rules/${encodeURIComponent(id)}`,
    body,
  );
}

export function fetchRuleExceptions(ruleId?: string) {
  return http.get<{ items: RuleException[] }>('/api/rules/exceptions', ruleId ? { ruleId } : {});
}

export function fetchCreateRuleException(body: ExceptionBody) {
  return http.post<RuleException & { policyVersion: number }>('/api/rules/exceptions', body);
}

export function fetchDeleteRuleException(id: string) {
  return http.del<{ id: string; deleted: true }>(`/api/rules/exceptions/${encodeURIComponent(id)}`);
}

/** Silent: the page shows the refused lines itself. */
export function fetchUploadRule(filename: string, content: string) {
  return http.post<UploadedRuleFile & { replaced: string[]; policyVersion: number }>(
    '/api/rules/upload',
    { filename, content },
    { silent: true },
  );
}

export function fetchDeleteUploadedRule(id: string) {
  return http.del<{ id: string; deleted: true }>(`/api/rules/uploads/${encodeURIComponent(id)}`);
}
