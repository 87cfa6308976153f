/** An incident holds alerts of its own organisation's subtree only (issue 13 item 6). */
import { alert, docs, harness, type Harness, type Session } from './helpers';

let h: Harness;
let city: Session;
const A = alert(1, 's1');
const B1 = alert(2, 's2');
const B2 = alert(3, 's2');

beforeEach(async () => {
  h = await harness();
  await h.store.write(docs(A, B1, B2));
  city = await h.login('city_monitor.c1');
});
afterEach(() => h.close());

const create = (s: Session, payload: object) => h.req(s, { method: 'POST', url: '/api/incidents', payload });
const base = { title: 'mixed', grade: '一般', category: '其他' };

describe('incident organisation scope', () => {
  it("refuses an incident for school A holding school B's alert", async () => {
    const res = await create(city, { ...base, orgId: 's1', alertIds: [A.event.id, B1.event.id] });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('EDU_ERR_VALIDATION');
    expect(res.json().message).toMatch(/^body\/alertIds\/1 .* belongs to organisation "s2", outside .* "s1"/);
  });

  it("refuses linking school B's alerts to school A's incident later, and A's officer never sees them", async () => {
    const inc = (await create(city, { ...base, orgId: 's1', alertIds: [A.event.id] })).json();
    expect(inc.orgId).toBe('s1');
    const link = await h.req(city, {
      method: 'POST',
      url: `/api/incidents/${inc.id}/alerts`,
      payload: { alertIds: [B1.event.id, B2.event.id] },
    });
    expect(link.statusCode).toBe(400);
    expect(link.json().message).toMatch(/^body\/alertIds\/0 /);
    const officer = await h.login('school_officer.s1');
    const seen = await h.req(officer, { method: 'GET', url: `/api/incidents/${inc.id}` });
    expect(seen.json().alertIds).toEqual([A.event.id]);
  });

  it('without orgId, an incident of several schools belongs to their nearest common organisation', async () => {
    const res = await create(city, { ...base, alertIds: [A.event.id, B1.event.id] });
    expect(res.statusCode).toBe(201);
    expect(res.json().orgId).toBe('c1');
    const single = await create(city, { ...base, alertIds: [B1.event.id, B2.event.id] });
    expect(single.json().orgId).toBe('s2');
    // The city's incident may take more of its schools' alerts.
    const link = await h.req(city, {
      method: 'POST',
      url: `/api/incidents/${res.json().id}/alerts`,
      payload: { alertIds: [B2.event.id] },
    });
    expect(link.statusCode).toBe(200);
    const officer = await h.login('school_officer.s1');
    expect((await h.req(officer, { method: 'GET', url: `/api/incidents/${res.json().id}` })).statusCode).toBe(404);
  });
});
