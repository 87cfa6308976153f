/** The education grades and GB/Z 20986 categories: the server speaks Chinese values, locales need ASCII keys. */
export const gradeKeys: Record<Api.Incident.Grade, string> = {
  特别重大: 'especially_major',
  重大: 'major',
  较大: 'larger',
  一般: 'general',
};

export const categoryKeys: Record<Api.Incident.Category, string> = {
  有害程序事件: 'harmful_program',
  网络攻击事件: 'network_attack',
  信息破坏事件: 'information_destruction',
  信息内容安全事件: 'information_content',
  设备设施故障: 'equipment_failure',
  灾害性事件: 'disaster',
  其他: 'other',
};

export const grades = Object.keys(gradeKeys) as Api.Incident.Grade[];
export const categories = Object.keys(categoryKeys) as Api.Incident.Category[];
export const incidentStatuses: Api.Incident.Status[] = ['open', 'investigating', 'contained', 'closed'];

export const gradeTag: Record<Api.Incident.Grade, 'error' | 'warning' | 'info' | 'default'> = {
  特别重大: 'error',
  重大: 'error',
  较大: 'warning',
  一般: 'info',
};

/** States an incident may move to from `status` (forward any step; closed reopens). */
export function nextStatuses(status: Api.Incident.Status): Api.Incident.Status[] {
  if (status === 'closed') return ['open'];
  return incidentStatuses.slice(incidentStatuses.indexOf(status) + 1);
}
