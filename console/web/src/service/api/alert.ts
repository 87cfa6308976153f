import { http } from '../request';

export function fetchAlertList(query: Api.Alert.ListQuery) {
  return http.get<Api.Common.Page<Api.Alert.Alert>>('/api/alerts', { ...query });
}

export function fetchAlertDetail(id: string) {
  return http.get<Api.Alert.Detail>(`/api/alerts/${encodeURIComponent(id)}`);
}

export function fetchTriageAlert(id: string, body: Api.Alert.TriageBody) {
  return http.post<{ alert: Api.Alert.Alert; entry: Api.Alert.TriageEntry }>(
    `/api/alerts/${encodeURIComponent(id)}/triage`,
    body,
  );
}

export function fetchBulkTriage(ids: string[], body: Api.Alert.TriageBody) {
  return http.post<Api.Alert.BulkResult>('/api/alerts/bulk', { ids, ...body });
}

export function fetchAlertHistory(id: string) {
  return http.get<{ items: Api.Alert.TriageEntry[] }>(`/api/alerts/${encodeURIComponent(id)}/history`);
}

export function fetchAddAlertNote(id: string, text: string) {
  return http.post<Api.Alert.Note>(`/api/alerts/${encodeURIComponent(id)}/notes`, { text });
}
