import { http } from '../request';

export function fetchSearch(body: Api.Search.Body) {
  return http.post<Api.Search.Result>('/api/search', body);
}

export function fetchSearchFields() {
  return http.get<Api.Search.Fields>('/api/search/fields');
}
