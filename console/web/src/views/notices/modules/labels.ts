/** Notice states, grades and categories as locale keys and tag colours. */
import { categoryKeys, gradeKeys } from '@/utils/incident';
import type { NoticeGrade, NoticeStatus } from '@/service/api/notices';

export const noticeStatuses: NoticeStatus[] = [
  'issued',
  'acknowledged',
  'submitted',
  'returned',
  'closed',
  'withdrawn',
];
export const noticeGrades: NoticeGrade[] = ['特别重大', '重大', '较大', '一般'];

export const statusTag: Record<NoticeStatus, 'error' | 'warning' | 'info' | 'success' | 'default'> = {
  issued: 'error',
  acknowledged: 'warning',
  submitted: 'info',
  returned: 'error',
  closed: 'success',
  withdrawn: 'default',
};

const extraCategories: Record<string, string> = { 漏洞: 'vulnerability', 配置: 'configuration', 网站内容: 'website' };

/** The locale key of a category: the incident ones, plus the notice-only 漏洞/配置/网站内容. */
export function categoryKey(c: string): string {
  if (extraCategories[c]) return `notice.categories.${extraCategories[c]}`;
  const k = (categoryKeys as Record<string, string>)[c];
  return k ? `incident.categories.${k}` : c;
}

export function gradeKey(g: NoticeGrade): string {
  return `incident.grades.${gradeKeys[g]}`;
}

export function rate(x: number | null): string {
  return x === null ? '-' : `${Math.round(x * 1000) / 10}%`;
}

export function hours(x: number | null): string {
  return x === null ? '-' : x < 48 ? `${Math.round(x * 10) / 10} h` : `${Math.round((x / 24) * 10) / 10} d`;
}
