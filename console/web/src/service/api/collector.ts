import { http } from '../request';

export function fetchCollectors(orgId?: string) {
  return http.get<{ items: Api.Collector.Collector[] }>('/api/collectors', { orgId });
}
