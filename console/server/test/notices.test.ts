/**
 * Notices through inject(): the whole 通报—整改—复核 loop, every legal and illegal
 * transition, forwarding, scoping, attachments (hostile ones included), numbers,
 * deadlines, stats, the bell and escalation.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { consoleConfig } from '../src/config';
import { NOTICE_STATUSES, TRANSITIONS, type NoticeAction, type NoticeStatus } from '../src/state/notices';
import { alert, docs, harness, T0, type Harness, type Session } from './helpers';

let h: Harness;
const s: Record<string, Session> = {};
let alertId: string;

const USERS = [
  'province_monitor.p1',
  'city_monitor.c1',
  'city_monitor.c2',
  'school_officer.s1',
  'school_officer.s2',
  'school_officer.s3',
  'auditor.s1',
  'auditor.p1',
];
/** Moves the clock; sessions idle across the jump have ended, so everyone logs in again. */
async function setClock(ms: number) {
  h.clock.now = ms;
  for (const u of USERS) s[u] = await h.login(u);
}

beforeAll(async () => {
  h = await harness({
    config: consoleConfig({
      rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 },
      notices: { attachments: { maxBytes: 64 * 1024 }, remindBefore: ['24h', '2h'] },
    }),
  });
  const a = alert(1, 's1');
  alertId = a.event.id;
  await h.store.write(docs(a, alert(2, 's2')));
  await setClock(T0);
});
afterAll(() => h.close());

const post = (who: string, url: string, payload: unknown = {}) =>
  h.req(s[who], { method: 'POST', url, payload: payload as Record<string, unknown> });
const get = (who: string, url: string) => h.req(s[who], { method: 'GET', url });
const ok = (res: LightMyRequestResponse, status = 200) => {
  if (res.statusCode !== status) throw new Error(`${res.statusCode} ${res.body}`);
  return res.json();
};

async function issue(over: Record<string, unknown> = {}, who = 'province_monitor.p1') {
  return ok(
    await post(who, '/api/notices', {
      orgId: 's1',
      title: '弱口令整改',
      category: '配置',
      severity: '较大',
      actions: '修改默认口令并提交截图',
      ...over,
    }),
    201,
  );
}

function multipart(name: string, bytes: Buffer, type = 'image/png') {
  const boundary = '----edu' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const upload = (who: string, id: string, name: string, bytes: Buffer, type?: string) => {
  const m = multipart(name, bytes, type);
  return h.req(s[who], { method: 'POST', url: `/api/notices/${id}/attachments`, ...m });
};
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-fake-image'),
]);

describe('the notice loop', () => {
  it('issue from an alert, acknowledge, submit with a file, return once, resubmit, accept', async () => {
    const n = await issue({ source: { kind: 'alert', ids: [alertId] } });
    expect(n).toMatchObject({ status: 'issued', orgId: 's1', issuerOrgId: 'p1', overdue: false });
    expect(n.number).toMatch(/^TB-2025-\d{4}$/);
    expect(n.source).toEqual({ kind: 'alert', ids: [alertId] });
    // 较大 defaults to 5 working days: Monday 16:00 Beijing → end of Monday next week.
    expect(n.deadline).toBe('2025-03-10T16:00:00.000Z');

    // The second school sees nothing of it.
    expect((await get('school_officer.s2', `/api/notices/${n.id}`)).statusCode).toBe(404);
    expect(ok(await get('school_officer.s2', '/api/notices')).items).toEqual([]);
    expect((await post('school_officer.s2', `/api/notices/${n.id}/acknowledge`)).statusCode).toBe(404);
    // The officer of s1 was told, in the bell.
    const bell = ok(await get('school_officer.s1', '/api/notifications'));
    expect(bell.unread).toBeGreaterThan(0);
    expect(bell.items[0]).toMatchObject({ event: 'notice.issued', noticeId: n.id, read: false });

    ok(await post('school_officer.s1', `/api/notices/${n.id}/acknowledge`, { comment: '收到' }));
    const up = ok(await upload('school_officer.s1', n.id, 'shot.png', PNG), 201);
    expect(up).toMatchObject({ name: 'shot.png', size: PNG.length, type: 'image/png' });
    const sub = ok(
      await post('school_officer.s1', `/api/notices/${n.id}/submit`, { report: '已修改', attachmentIds: [up.id] }),
    );
    expect(sub).toMatchObject({ status: 'submitted', report: '已修改' });
    const ret = ok(
      await post('province_monitor.p1', `/api/notices/${n.id}/review`, { decision: 'return', comment: '截图不清' }),
    );
    expect(ret).toMatchObject({ status: 'returned', returns: 1 });
    ok(await post('school_officer.s1', `/api/notices/${n.id}/submit`, { report: '重新截图' }));
    await setClock(h.clock.now + 3_600_000);
    const done = ok(
      await post('province_monitor.p1', `/api/notices/${n.id}/review`, { decision: 'accept', comment: '通过' }),
    );
    expect(done).toMatchObject({ status: 'closed', returns: 1, overdue: false });
    expect(done.timeline.map((t: { action: string }) => t.action)).toEqual([
      'issue',
      'acknowledge',
      'attach',
      'submit',
      'return',
      'submit',
      'accept',
    ]);
    expect(done.timeline[3]).toMatchObject({ actor: 'school_officer.s1', from: 'acknowledged', to: 'submitted' });
    expect(done.timeline[3].attachmentIds).toEqual([up.id]);
    expect(done.attachments).toHaveLength(1);

    // Audited, and the chain holds.
    const actions = h.app.ctx.state.audit
      .list({ limit: 100, offset: 0 })
      .items.filter((r) => r.target === n.id)
      .map((r) => r.action)
      .reverse();
    expect(actions).toEqual([
      'notice.issue',
      'notice.acknowledge',
      'notice.attach',
      'notice.submit',
      'notice.return',
      'notice.submit',
      'notice.accept',
    ]);
    expect(h.app.ctx.state.audit.verify().ok).toBe(true);

    // An auditor of the school reads it; the other school's auditor-less officer still sees nothing.
    expect(ok(await get('auditor.s1', `/api/notices/${n.id}`)).status).toBe('closed');
    expect((await get('auditor.s1', `/api/notices/${n.id}/attachments/${up.id}`)).statusCode).toBe(200);
  });

  it('a source must be visible to the issuer', async () => {
    const res = await post('city_monitor.c2', '/api/notices', {
      orgId: 's3',
      title: 'x',
      category: '其他',
      severity: '一般',
      actions: 'x',
      source: { kind: 'alert', ids: [alertId] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('body/source/ids/0');
  });

  it('the target must be below the issuer', async () => {
    const own = await post('city_monitor.c1', '/api/notices', {
      orgId: 'c1',
      title: 'x',
      category: '其他',
      severity: '一般',
      actions: 'x',
    });
    expect(own.statusCode).toBe(400);
    expect(own.json().message).toContain('body/orgId');
    const outside = await post('city_monitor.c1', '/api/notices', {
      orgId: 's3',
      title: 'x',
      category: '其他',
      severity: '一般',
      actions: 'x',
    });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('EDU_ERR_OUT_OF_SCOPE');
    const past = await post('city_monitor.c1', '/api/notices', {
      orgId: 's1',
      title: 'x',
      category: '其他',
      severity: '一般',
      actions: 'x',
      deadline: new Date(T0 - 1000).toISOString(),
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().message).toContain('body/deadline');
    expect((await post('school_officer.s1', '/api/notices', { orgId: 's1' })).statusCode).toBe(403);
  });

  it('numbers run per issuing organisation and year', async () => {
    const a = await issue({ orgId: 's3' }, 'city_monitor.c2');
    const b = await issue({ orgId: 's3' }, 'city_monitor.c2');
    expect([a.number, b.number]).toEqual(['TB-2025-0001', 'TB-2025-0002']);
    await setClock(Date.parse('2025-12-31T16:30:00Z')); // already 2026 in Beijing
    const c = await issue({ orgId: 's3' }, 'city_monitor.c2');
    expect(c.number).toBe('TB-2026-0001');
    await setClock(T0 + 7_200_000);
  });
});

/** Brings a new notice to `status` by the legal path. */
async function noticeIn(status: NoticeStatus): Promise<string> {
  const n = await issue({ severity: '一般' });
  const path: Record<NoticeStatus, [string, string, unknown][]> = {
    issued: [],
    acknowledged: [['school_officer.s1', 'acknowledge', {}]],
    submitted: [
      ['school_officer.s1', 'acknowledge', {}],
      ['school_officer.s1', 'submit', { report: 'r' }],
    ],
    returned: [
      ['school_officer.s1', 'acknowledge', {}],
      ['school_officer.s1', 'submit', { report: 'r' }],
      ['province_monitor.p1', 'review', { decision: 'return', comment: 'c' }],
    ],
    closed: [
      ['school_officer.s1', 'acknowledge', {}],
      ['school_officer.s1', 'submit', { report: 'r' }],
      ['province_monitor.p1', 'review', { decision: 'accept', comment: 'c' }],
    ],
    withdrawn: [['province_monitor.p1', 'withdraw', { comment: 'c' }]],
  };
  for (const [who, route, body] of path[status]) ok(await post(who, `/api/notices/${n.id}/${route}`, body));
  return n.id;
}

const ACTION_CALL: Record<NoticeAction, [string, string, unknown]> = {
  acknowledge: ['school_officer.s1', 'acknowledge', {}],
  submit: ['school_officer.s1', 'submit', { report: 'r' }],
  accept: ['province_monitor.p1', 'review', { decision: 'accept', comment: 'ok' }],
  return: ['province_monitor.p1', 'review', { decision: 'return', comment: 'no' }],
  withdraw: ['province_monitor.p1', 'withdraw', { comment: 'w' }],
};

describe('the state machine', () => {
  for (const status of NOTICE_STATUSES)
    for (const action of Object.keys(TRANSITIONS) as NoticeAction[]) {
      const legal = TRANSITIONS[action].from.includes(status);
      it(`${action} from ${status}: ${legal ? `→ ${TRANSITIONS[action].to}` : '409'}`, async () => {
        const id = await noticeIn(status);
        const [who, route, body] = ACTION_CALL[action];
        const res = await post(who, `/api/notices/${id}/${route}`, body);
        if (legal) {
          expect(ok(res).status).toBe(TRANSITIONS[action].to);
        } else {
          expect(res.statusCode).toBe(409);
          expect(res.json().code).toBe('EDU_ERR_NOTICE_STATE');
          expect(res.json().message).toContain(`is ${status}`);
          expect(res.json().details.status).toBe(status);
          expect(ok(await get(who, `/api/notices/${id}`)).status).toBe(status);
        }
      });
    }

  it('only the target acts on it and only the issuer reviews it', async () => {
    const id = await noticeIn('issued');
    // The city sees the school's notice but is not its target.
    const city = await post('city_monitor.c1', `/api/notices/${id}/acknowledge`);
    expect(city.statusCode).toBe(403);
    expect(city.json().code).toBe('EDU_ERR_FORBIDDEN');
    // A school officer lacks notices:issue.
    const review = await post('school_officer.s1', `/api/notices/${id}/review`, { decision: 'accept', comment: 'x' });
    expect(review.statusCode).toBe(403);
    const auditor = await post('auditor.s1', `/api/notices/${id}/acknowledge`);
    expect(auditor.statusCode).toBe(403);
    ok(await post('school_officer.s1', `/api/notices/${id}/acknowledge`));
    ok(await post('school_officer.s1', `/api/notices/${id}/submit`, { report: 'r' }));
    const cityReview = await post('city_monitor.c1', `/api/notices/${id}/review`, { decision: 'accept', comment: 'x' });
    expect(cityReview.statusCode).toBe(403);
    expect(cityReview.json().message).toContain('issuing organisation');
    const bad = await post('school_officer.s1', `/api/notices/${id}/submit`, { report: 'r', attachmentIds: ['nope'] });
    expect(bad.statusCode).toBe(409);
  });

  it('a submit naming a foreign attachment is refused naming the field', async () => {
    const id = await noticeIn('acknowledged');
    const res = await post('school_officer.s1', `/api/notices/${id}/submit`, { report: 'r', attachmentIds: ['nope'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('body/attachmentIds/0');
  });
});

describe('forwarding', () => {
  it('a city forwards to its schools; the parent closes when every child closes', async () => {
    const parent = await issue({ orgId: 'c1' });
    const bad = await post('city_monitor.c1', `/api/notices/${parent.id}/forward`, { orgIds: ['s3'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('body/orgIds/0');
    const fw = ok(await post('city_monitor.c1', `/api/notices/${parent.id}/forward`, { orgIds: ['s1', 's2'] }), 201);
    expect(fw.notice.status).toBe('acknowledged');
    expect(fw.children.map((c: { orgId: string }) => c.orgId)).toEqual(['s1', 's2']);
    for (const c of fw.children)
      expect(c).toMatchObject({ parentId: parent.id, issuerOrgId: 'c1', deadline: parent.deadline });
    const again = await post('city_monitor.c1', `/api/notices/${parent.id}/forward`, { orgIds: ['s1'] });
    expect(again.statusCode).toBe(400);
    // A school sees its child, not the city's parent.
    expect((await get('school_officer.s1', `/api/notices/${parent.id}`)).statusCode).toBe(404);
    const [c1, c2] = fw.children;
    for (const [c, officer] of [
      [c1, 'school_officer.s1'],
      [c2, 'school_officer.s2'],
    ] as const) {
      ok(await post(officer, `/api/notices/${c.id}/acknowledge`));
      ok(await post(officer, `/api/notices/${c.id}/submit`, { report: 'done' }));
    }
    // The province cannot review what the city issued.
    expect(
      (await post('province_monitor.p1', `/api/notices/${c1.id}/review`, { decision: 'accept', comment: 'x' }))
        .statusCode,
    ).toBe(403);
    ok(await post('city_monitor.c1', `/api/notices/${c1.id}/review`, { decision: 'accept', comment: 'ok' }));
    expect(ok(await get('province_monitor.p1', `/api/notices/${parent.id}`)).status).toBe('acknowledged');
    ok(await post('city_monitor.c1', `/api/notices/${c2.id}/review`, { decision: 'accept', comment: 'ok' }));
    const p = ok(await get('province_monitor.p1', `/api/notices/${parent.id}`));
    expect(p.status).toBe('closed');
    expect(p.timeline.at(-1)).toMatchObject({ actor: 'system', action: 'accept' });
  });

  it('a school cannot forward, and the issuer may close a forwarded notice itself', async () => {
    const id = await noticeIn('issued');
    expect((await post('school_officer.s1', `/api/notices/${id}/forward`, { orgIds: ['s1'] })).statusCode).toBe(403);
    const parent = await issue({ orgId: 'c1' });
    ok(await post('city_monitor.c1', `/api/notices/${parent.id}/forward`, { orgIds: ['s1'] }), 201);
    const closed = ok(
      await post('province_monitor.p1', `/api/notices/${parent.id}/review`, {
        decision: 'accept',
        comment: '市级已处置',
      }),
    );
    expect(closed.status).toBe('closed');
  });
});

describe('attachments', () => {
  let id: string;
  beforeAll(async () => {
    id = await noticeIn('acknowledged');
  });

  it('HTML or SVG with script is refused whatever it is called', async () => {
    for (const [name, body] of [
      ['screenshot.png', '<html><body><script>alert(1)</script></body></html>'],
      [
        'screenshot.png',
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      ],
      ['logo.svg', '<svg onload="alert(1)"></svg>'],
      ['notes.txt', 'hello <script>alert(1)</script>'],
      ['x.pdf', '\u0000\u0001binary junk'],
    ]) {
      const res = await upload('school_officer.s1', id, name, Buffer.from(body), 'image/png');
      expect(res.statusCode).toBe(415);
      expect(res.json().code).toBe('EDU_ERR_ATTACHMENT_TYPE');
      expect(res.json().message).toContain(name);
    }
    expect(ok(await get('school_officer.s1', `/api/notices/${id}`)).attachments).toEqual([]);
  });

  it('too large a file is 413 and nothing is kept', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(65 * 1024, 0x20)]);
    const res = await upload('school_officer.s1', id, 'big.pdf', big, 'application/pdf');
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('EDU_ERR_ATTACHMENT_TOO_LARGE');
  });

  it('a kept file is served as a download of its sniffed type, stored once by sha256', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%fake\n');
    // Declared as text/html: the declaration is not believed.
    const a = ok(await upload('school_officer.s1', id, '整改报告.pdf', pdf, 'text/html'), 201);
    expect(a).toMatchObject({ name: '整改报告.pdf', type: 'application/pdf', size: pdf.length });
    const b = ok(await upload('school_officer.s1', id, 'copy.pdf', pdf), 201);
    expect(b.sha256).toBe(a.sha256);
    const dir = join(h.dir, 'notice-attachments', a.sha256.slice(0, 2));
    expect(readdirSync(dir)).toEqual([a.sha256]);
    const res = await get('province_monitor.p1', `/api/notices/${id}/attachments/${a.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(/^attachment; /);
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''%E6%95%B4");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.rawPayload.equals(pdf)).toBe(true);
    // A PNG with a page glued behind it is still only ever a PNG download.
    const poly = ok(
      await upload('school_officer.s1', id, 'x.html', Buffer.concat([PNG, Buffer.from('<script>alert(1)</script>')])),
      201,
    );
    const r2 = await get('school_officer.s1', `/api/notices/${id}/attachments/${poly.id}`);
    expect(r2.headers['content-type']).toBe('image/png');
    expect(r2.headers['content-disposition']).toMatch(/^attachment; filename="x.html"/);
    // Someone else's school cannot fetch it.
    expect((await get('school_officer.s2', `/api/notices/${id}/attachments/${a.id}`)).statusCode).toBe(404);
  });

  it('a request that is not multipart names the problem', async () => {
    const res = await post('school_officer.s1', `/api/notices/${id}/attachments`, { file: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('multipart');
  });
});

describe('overdue, escalation and stats', () => {
  it('overdue is computed, filtered, escalated once per step and counted', async () => {
    await setClock(T0 + 10 * 86_400_000);
    const { escalation, bell } = h.app.notices;
    escalation.check(); // the earlier tests' notices that are overdue by now
    const n = await issue({ orgId: 's2', severity: '特别重大' }); // 24 h
    const late = await issue({ orgId: 's2', severity: '特别重大' });
    const officer = h.app.ctx.state.users.byUsername('school_officer.s2')!.id;
    bell.markRead(officer, []);
    expect(escalation.check().map((x) => x.step)).toEqual(['remind:24h', 'remind:24h']);
    expect(escalation.check()).toEqual([]);
    await setClock(h.clock.now + 22 * 3_600_000 + 1); // 2 h minus 1 ms before the deadline: only the 2 h reminder
    const sent = escalation.check();
    expect(sent.map((x) => x.step).sort()).toEqual(['remind:2h', 'remind:2h']);
    expect(escalation.check()).toEqual([]);
    expect(bell.list(officer, 10).items[0].event).toBe('notice.reminder');

    ok(await post('school_officer.s2', `/api/notices/${n.id}/acknowledge`));
    ok(await post('school_officer.s2', `/api/notices/${n.id}/submit`, { report: 'r' }));
    ok(await post('province_monitor.p1', `/api/notices/${n.id}/review`, { decision: 'accept', comment: 'ok' }));

    await setClock(h.clock.now + 2 * 3_600_000);
    expect(escalation.check()).toEqual([{ noticeId: late.id, step: 'overdue' }]);
    expect(escalation.check()).toEqual([]);
    const l = ok(await get('province_monitor.p1', `/api/notices/${late.id}`));
    expect(l.overdue).toBe(true);
    const list = ok(await get('city_monitor.c1', '/api/notices?overdue=true&orgId=s2'));
    expect(list.items.map((x: { id: string }) => x.id)).toEqual([late.id]);
    // Past the deadline: the target, the issuer and (none above p1 here) were told; the issuer's bell has it.
    const p1 = h.app.ctx.state.users.byUsername('province_monitor.p1')!.id;
    expect(bell.list(p1, 5).items.some((b) => b.event === 'notice.overdue' && b.noticeId === late.id)).toBe(true);

    const stats = ok(await get('province_monitor.p1', `/api/notices/stats?from=${T0 - 1}`));
    const c1 = stats.items.find((r: { orgId: string }) => r.orgId === 'c1');
    const overdue = ok(await get('province_monitor.p1', '/api/notices?overdue=true&orgId=c1&pageSize=200'));
    const leaves = overdue.items.filter((x: { childIds: string[] }) => !x.childIds.length);
    expect(leaves.map((x: { id: string }) => x.id)).toContain(late.id);
    expect(c1.overdueOpen).toBe(leaves.length);
    expect(c1.closed).toBeGreaterThanOrEqual(2);
    expect(c1.onTimeRate).toBeGreaterThan(0);
    expect(c1.onTimeRate).toBeLessThan(1);
    expect(c1.medianHoursToClose).not.toBeNull();
    const c2 = stats.items.find((r: { orgId: string }) => r.orgId === 'c2');
    expect(c2.issued).toBe(2); // the third is dated 2025-12-31, after `to`
    expect(stats.items.map((r: { orgId: string }) => r.orgId)).toEqual(['c1', 'c2']);
    const school = ok(await get('school_officer.s1', '/api/notices/stats?from=' + (T0 - 1)));
    expect(school.items.map((r: { orgId: string }) => r.orgId)).toEqual(['s1']);
    expect(school.items[0].returnsPerNotice).toBeGreaterThan(0);
  });
});
