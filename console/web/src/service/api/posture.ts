import { http } from '../request';

export function fetchPosture(query: Api.Posture.Query) {
  return http.get<Api.Posture.Posture>('/api/posture', { ...query });
}
