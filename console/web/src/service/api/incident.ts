import { http } from '../request';

export function fetchIncidentList(query: Api.Incident.ListQuery) {
  return http.get<Api.Common.Page<Api.Incident.Incident>>('/api/incidents', { ...query });
}

export function fetchIncidentDetail(id: string) {
  return http.get<Api.Incident.Incident>(`/api/incidents/${encodeURIComponent(id)}`);
}

export function fetchCreateIncident(body: Api.Incident.CreateBody) {
  return http.post<Api.Incident.Incident>('/api/incidents', body);
}

export function fetchUpdateIncident(id: string, body: Api.Incident.PatchBody) {
  return http.patch<Api.Incident.Incident>(`/api/incidents/${encodeURIComponent(id)}`, body);
}

export function fetchAddTimelineEntry(id: string, kind: 'action' | 'evidence' | 'note', text: string) {
  return http.post<Api.Incident.TimelineEntry>(`/api/incidents/${encodeURIComponent(id)}/timeline`, { kind, text });
}

export function fetchLinkIncidentAlerts(id: string, alertIds: string[]) {
  return http.post<Api.Incident.Incident>(`/api/incidents/${encodeURIComponent(id)}/alerts`, { alertIds });
}
