import type { AlertEvent } from '@edusentry/core';
import { alert, docs, getAlert, harness, httpEvent, T0, type Harness, type Session } from './helpers';

let h: Harness;
let officer: Session;
const a = (n: number, org: string, over = {}) => alert(n, org, over);
let s1Alerts: AlertEvent[];

beforeEach(async () => {
  h = await harness();
  const ev = [httpEvent(1, 's1'), httpEvent(2, 's1'), httpEvent(3, 's2')];
  s1Alerts = [
    a(0, 's1', { level: 'critical', events: [ev[0].event.id, ev[2].event.id], user: undefined }),
    a(1, 's1', { level: 'high' }),
    a(2, 's1', { level: 'low', status: 'acknowledged', src: '198.51.100.9' }),
  ];
  await h.store.write(docs(...ev, ...s1Alerts, a(3, 's2'), a(4, 's3', { level: 'critical' })));
  officer = await h.login('school_officer.s1');
});
afterEach(() => h.close());

describe('alert list', () => {
  it('lists only the caller subtree, with severity, newest first, paginated', async () => {
    const res = await h.req(officer, { method: 'GET', url: '/api/alerts?pageSize=2' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(3);
    expect(body.items).toHaveLength(2);
    expect(body.items[0]).toMatchObject({ severity: 'critical', organization: { id: 's1' } });
    const page2 = await h.req(officer, { method: 'GET', url: '/api/alerts?pageSize=2&page=2' });
    expect(page2.json().items.map((x: AlertEvent) => x.event.id)).toEqual([s1Alerts[2].event.id]);
    const city = await h.req(await h.login('city_monitor.c1'), { method: 'GET', url: '/api/alerts' });
    expect(
      city
        .json()
        .items.map((x: AlertEvent) => x.organization!.id)
        .sort(),
    ).toEqual(['s1', 's1', 's1', 's2']);
  });

  it('filters by status, severity, source address, text and organisation, and sorts', async () => {
    const prov = await h.login('province_monitor.p1');
    const q = async (qs: string) => (await h.req(prov, { method: 'GET', url: `/api/alerts?${qs}` })).json();
    expect((await q('status=acknowledged')).total).toBe(1);
    expect((await q('severity=critical')).items.map((x: AlertEvent) => x.organization!.id).sort()).toEqual([
      's1',
      's3',
    ]);
    expect((await q('sourceIp=198.51.100.0/24')).total).toBe(1);
    // The campus end and the other end, as the analyzer set them.
    const asset = s1Alerts[1].edu.alert.asset!;
    expect((await q(`asset=${asset}`)).items.map((x: AlertEvent) => x.event.id)).toEqual([s1Alerts[1].event.id]);
    expect((await q('remote=198.51.100.9')).items.map((x: AlertEvent) => x.event.id)).toEqual([s1Alerts[2].event.id]);
    const badAsset = await h.req(prov, { method: 'GET', url: '/api/alerts?asset=10.1.0.0/16' });
    expect(badAsset.statusCode).toBe(400);
    expect(badAsset.json().message).toMatch(/querystring\/asset "10.1.0.0\/16" is not an IP address/);
    expect((await q('orgId=c2')).items.map((x: AlertEvent) => x.organization!.id)).toEqual(['s3']);
    const asc = await q('sort=@timestamp&order=asc');
    expect(Date.parse(asc.items[0]['@timestamp'])).toBeLessThan(Date.parse(asc.items[1]['@timestamp']));
    const bad = await h.req(prov, { method: 'GET', url: '/api/alerts?severity=urgent' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/querystring\/severity "urgent"/);
    const badSort = await h.req(prov, { method: 'GET', url: '/api/alerts?sort=doc' });
    expect(badSort.json().message).toMatch(/querystring\/sort/);
  });

  it('refuses an organisation outside the subtree', async () => {
    const res = await h.req(officer, { method: 'GET', url: '/api/alerts?orgId=s2' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('EDU_ERR_OUT_OF_SCOPE');
  });
});

describe('alert detail and triage', () => {
  it('shows rule author and licence, in-scope triggering events and the attributed user', async () => {
    const res = await h.req(officer, { method: 'GET', url: `/api/alerts/${s1Alerts[0].event.id}` });
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.rule).toMatchObject({ author: 'EduSentry', license: 'DRL-1.1', level: 'critical' });
    // the s2 event referenced by the alert is not shown to an s1 officer
    expect(d.events.map((e: { organization: { id: string } }) => e.organization.id)).toEqual(['s1']);
    expect(d.user).toBe('student-s1-1');
    expect((await h.req(officer, { method: 'GET', url: `/api/alerts/${a(3, 's2').event.id}` })).statusCode).toBe(404);
  });

  it('acknowledges, assigns, closes with a reason and reopens; writes store, history, audit and the bus', async () => {
    const id = s1Alerts[1].event.id;
    const pushed: AlertEvent[] = [];
    h.bus.on('alert-updated', (x) => pushed.push(x));
    const t = (body: object) => h.req(officer, { method: 'POST', url: `/api/alerts/${id}/triage`, payload: body });
    expect((await t({ action: 'acknowledge' })).json().alert.edu.alert.status).toBe('acknowledged');
    expect((await t({ action: 'acknowledge' })).json().code).toBe('EDU_ERR_INVALID_TRANSITION');
    expect((await t({ action: 'assign', assignee: 'school_officer.s2' })).json().message).toMatch(/body\/assignee/);
    expect((await t({ action: 'assign', assignee: 'auditor.s1' })).json().message).toMatch(/body\/assignee/);
    expect((await t({ action: 'assign', assignee: 'school_officer.s1' })).json().alert.edu.alert.assignee).toBe(
      'school_officer.s1',
    );
    const noReason = await t({ action: 'close' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toMatch(/body\/reason/);
    expect((await t({ action: 'close', reason: 'patched the server' })).json().alert.edu.alert).toMatchObject({
      status: 'closed',
      reason: 'patched the server',
    });
    const stored = await getAlert(h.store, id);
    expect(stored.edu.alert.status).toBe('closed');
    expect((await t({ action: 'reopen' })).json().alert.edu.alert.status).toBe('acknowledged');
    const hist = await h.req(officer, { method: 'GET', url: `/api/alerts/${id}/history` });
    expect(hist.json().items.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual([
      'acknowledge:school_officer.s1',
      'assign:school_officer.s1',
      'close:school_officer.s1',
      'reopen:school_officer.s1',
    ]);
    expect(pushed.map((x) => x.edu.alert.status)).toEqual(['acknowledged', 'acknowledged', 'closed', 'acknowledged']);
    expect(h.app.ctx.state.audit.list({ action: 'alert.triage', limit: 10, offset: 0 }).total).toBe(4);
  });

  it('bulk-triages, reporting the alerts it could not change (out of scope, wrong state)', async () => {
    const res = await h.req(officer, {
      method: 'POST',
      url: '/api/alerts/bulk',
      payload: {
        ids: [s1Alerts[0].event.id, s1Alerts[2].event.id, a(4, 's3').event.id, 'no-such-id'],
        action: 'false_positive',
        reason: 'scanner of the school',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().updated.sort()).toEqual([s1Alerts[0].event.id, s1Alerts[2].event.id].sort());
    expect(res.json().failed.map((f: { code: string }) => f.code)).toEqual(['EDU_ERR_NOT_FOUND', 'EDU_ERR_NOT_FOUND']);
    expect((await getAlert(h.store, a(4, 's3').event.id)).edu.alert.status).toBe('new');
  });

  it('adds notes, shown in the detail; read-only roles cannot triage', async () => {
    const id = s1Alerts[0].event.id;
    const note = await h.req(officer, {
      method: 'POST',
      url: `/api/alerts/${id}/notes`,
      payload: { text: '<script>alert(1)</script> 已联系网管' },
    });
    expect(note.statusCode).toBe(201);
    const d = await h.req(officer, { method: 'GET', url: `/api/alerts/${id}` });
    expect(d.json().notes[0].text).toBe('<script>alert(1)</script> 已联系网管');
    const auditor = await h.login('auditor.s1');
    const denied = await h.req(auditor, {
      method: 'POST',
      url: `/api/alerts/${id}/triage`,
      payload: { action: 'acknowledge' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('EDU_ERR_FORBIDDEN');
    expect((await h.req(auditor, { method: 'GET', url: `/api/alerts/${id}` })).statusCode).toBe(200);
  });
});

describe('incidents', () => {
  it('escalates alerts into an incident, updates it through its states and keeps a timeline', async () => {
    const meta = await h.req(officer, { method: 'GET', url: '/api/incidents/meta' });
    expect(meta.json().grades).toEqual(['特别重大', '重大', '较大', '一般']);
    expect(meta.json().categories).toContain('网络攻击事件');
    const outside = await h.req(officer, {
      method: 'POST',
      url: '/api/incidents',
      payload: { title: 'x', grade: '一般', category: '其他', alertIds: [a(4, 's3').event.id] },
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().message).toMatch(/body\/alertIds\/0/);
    const badGrade = await h.req(officer, {
      method: 'POST',
      url: '/api/incidents',
      payload: { title: 'x', grade: '严重', category: '其他' },
    });
    expect(badGrade.json().message).toMatch(/body\/grade/);
    const created = await h.req(officer, {
      method: 'POST',
      url: '/api/incidents',
      payload: {
        title: 'Web shell on the library server',
        grade: '较大',
        category: '网络攻击事件',
        owner: 'school_officer.s1',
        alertIds: [s1Alerts[0].event.id, s1Alerts[1].event.id],
      },
    });
    expect(created.statusCode).toBe(201);
    const inc = created.json();
    expect(inc).toMatchObject({ status: 'open', orgId: 's1', grade: '较大', createdBy: 'school_officer.s1' });
    expect(inc.alertIds).toHaveLength(2);
    const id = inc.id;
    const patch = (b: object) => h.req(officer, { method: 'PATCH', url: `/api/incidents/${id}`, payload: b });
    expect((await patch({ status: 'contained' })).json().status).toBe('contained');
    expect((await patch({ status: 'investigating' })).json().code).toBe('EDU_ERR_INVALID_TRANSITION');
    await h.req(officer, {
      method: 'POST',
      url: `/api/incidents/${id}/timeline`,
      payload: { kind: 'evidence', text: 'pcap saved' },
    });
    const closed = (await patch({ status: 'closed', grade: '一般' })).json();
    expect(closed.closedAt).toBe(new Date(T0).toISOString());
    expect(closed.timeline.map((t: { kind: string }) => t.kind)).toEqual([
      'created',
      'status',
      'evidence',
      'status',
      'update',
    ]);
    expect((await patch({ status: 'open' })).json().status).toBe('open');
    const detail = await h.req(officer, { method: 'GET', url: `/api/alerts/${s1Alerts[0].event.id}` });
    expect(detail.json().incidents).toEqual([{ id, title: 'Web shell on the library server' }]);
    const list = await h.req(await h.login('city_monitor.c1'), { method: 'GET', url: '/api/incidents' });
    expect(list.json().items.map((i: { id: string }) => i.id)).toEqual([id]);
    const other = await h.login('school_officer.s2');
    expect((await h.req(other, { method: 'GET', url: `/api/incidents/${id}` })).statusCode).toBe(404);
    expect((await h.req(other, { method: 'GET', url: '/api/incidents' })).json().total).toBe(0);
    const linked = await h.req(officer, {
      method: 'POST',
      url: `/api/incidents/${id}/alerts`,
      payload: { alertIds: [s1Alerts[2].event.id] },
    });
    expect(linked.json().alertIds).toHaveLength(3);
  });
});
