/**
 * Search and alert-list queries whose answers depend on how a store handles a field's
 * type (addresses, numbers, analysed text, free text, deep pages). Runs on the
 * embedded store and on OpenSearch (jest.config.js): both must answer the same.
 */
import type { EcsEvent } from '@edusentry/core';
import { alert, docs, harness, httpEvent, T0, type Harness, type Session } from './helpers';

let h: Harness;
let s: Session;

beforeAll(async () => {
  h = await harness();
  const ev: EcsEvent[] = Array.from({ length: 12 }, (_, i) => httpEvent(i, 's1'));
  ev[0] = {
    ...ev[0],
    message: 'Failed password for root from 10.1.1.1',
    destination: { ip: '198.51.100.7', port: 8080 },
  };
  ev[1] = { ...ev[1], message: 'Accepted password for alice' };
  await h.store.write(
    docs(...ev, alert(0, 's1', { user: 'bob', tactic: 'Lateral Movement' }), alert(1, 's1', { src: '198.51.100.9' })),
  );
  s = await h.login('city_monitor.c1');
});
afterAll(() => h.close());

type Filter = { field: string; op: string; value?: string | number };
const search = async (payload: object) =>
  h.req(s, { method: 'POST', url: '/api/search', payload: { datasets: ['network.http'], fields: [], ...payload } });
const total = async (...filters: Filter[]) => {
  const r = await search({ filters });
  expect(r.statusCode).toBe(200);
  return r.json().total as number;
};

describe('search by field type', () => {
  it('compares numbers as numbers, also when typed as text', async () => {
    expect(await total({ field: 'destination.port', op: 'eq', value: '80' })).toBe(11);
    expect(await total({ field: 'destination.port', op: 'eq', value: 8080 })).toBe(1);
    expect(await total({ field: 'destination.port', op: 'gte', value: '1000' })).toBe(1);
    expect(await total({ field: 'destination.port', op: 'eq', value: 'http' })).toBe(0);
  });

  it('matches prefixes and substrings of addresses and numbers', async () => {
    // 10.1.1.1 and 10.1.1.10-12 (sources are 10.1.1.<n+1>)
    expect(await total({ field: 'source.ip', op: 'prefix', value: '10.1.1.1' })).toBe(4);
    expect(await total({ field: 'source.ip', op: 'contains', value: '1.1.1' })).toBe(4);
    expect(await total({ field: 'destination.port', op: 'prefix', value: '80' })).toBe(12);
    expect(await total({ field: 'source.ip', op: 'eq', value: 'not-an-address' })).toBe(0);
    expect(await total({ field: 'source.ip', op: 'neq', value: 'not-an-address' })).toBe(12);
  });

  it('matches analysed text exactly, by substring and by words; sorts and aggregates it', async () => {
    expect(await total({ field: 'message', op: 'eq', value: 'Accepted password for alice' })).toBe(1);
    expect(await total({ field: 'message', op: 'eq', value: 'password for' })).toBe(0);
    expect(await total({ field: 'message', op: 'contains', value: 'ed pass' })).toBe(2);
    expect(await total({ field: 'message', op: 'contains', value: 'PASSWORD' })).toBe(2);
    expect(await total({ field: 'message', op: 'prefix', value: 'Failed' })).toBe(1);
    const sorted = await search({
      filters: [{ field: 'message', op: 'exists' }],
      sort: { field: 'message', order: 'asc' },
      fields: ['message'],
    });
    expect(sorted.statusCode).toBe(200);
    expect(sorted.json().items.map((e: EcsEvent) => e.message)).toEqual([
      'Accepted password for alice',
      'Failed password for root from 10.1.1.1',
    ]);
    expect(sorted.json().sidebar[0].top).toEqual([
      { value: 'Accepted password for alice', count: 1 },
      { value: 'Failed password for root from 10.1.1.1', count: 1 },
    ]);
  });

  it('finds free text in user names, addresses, URLs and messages, case-insensitively', async () => {
    const text = async (t: string) => (await search({ text: t })).json().total;
    expect(await text('student-s1-1')).toBe(4);
    expect(await text('10.1.1.1')).toBe(4);
    expect(await text('Q=S1-1')).toBe(3);
    expect(await text('for ROOT')).toBe(1);
  });

  it('refuses values a field cannot hold, and pages beyond the result window, naming the field', async () => {
    const bad = async (payload: object, message: RegExp) => {
      const r = await search(payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toMatch(message);
    };
    await bad({ filters: [{ field: '@timestamp', op: 'gte', value: 'yesterday' }] }, /body\/filters\/0\/value/);
    await bad({ filters: [{ field: 'source.ip', op: 'cidr', value: '10.0.0.0/99' }] }, /body\/filters\/0\/value/);
    await bad({ filters: [{ field: 'url.original', op: 'cidr', value: '10.0.0.0/8' }] }, /body\/filters\/0\/field/);
    await bad({ page: 501, pageSize: 20 }, /body\/page/);
    const ts = await total({ field: '@timestamp', op: 'gte', value: String(T0 - 5000) });
    expect(ts).toBe(5);
  });
});

describe('alert list queries', () => {
  const list = (qs: string) => h.req(s, { method: 'GET', url: `/api/alerts?${qs}` });
  it('finds alerts by free text in the user, addresses, rule description and tactic', async () => {
    for (const [q, n] of [
      ['bob', 1],
      ['198.51.100.9', 1],
      ['test rule', 2],
      ['lateral', 1],
    ] as const)
      expect([q, (await list(`q=${encodeURIComponent(q)}`)).json().total]).toEqual([q, n]);
  });

  it('refuses malformed addresses and pages beyond the result window', async () => {
    for (const qs of ['sourceIp=1.2.3', 'sourceIp=abc', 'destinationIp=10.0.0.0/99', 'page=600']) {
      const r = await list(qs);
      expect([qs, r.statusCode]).toEqual([qs, 400]);
      expect(r.json().message).toMatch(/^querystring\/(sourceIp|destinationIp|page)/);
    }
    expect((await list('destinationIp=10.1.0.0/16')).json().total).toBe(2);
  });
});
