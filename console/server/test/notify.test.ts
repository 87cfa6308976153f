/**
 * Outbound notifications to real receivers on loopback: one HTTP server plays the
 * webhook, the DingTalk robot and the WeCom robot and checks each signature as the
 * real services do; smtp-server receives the mail after STARTTLS with a login. A
 * channel that is down, then up: every message arrives once.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '@edusentry/core';
import { SMTPServer } from 'smtp-server';
import { consoleConfig } from '../src/config';
import { notifyConfigSchema } from '../src/notify/config';
import { alert, harness, T0, type Harness, type Session } from './helpers';

const WEBHOOK_SECRET = 'whsec-Top-Secret-1';
const DING_SECRET = 'SECding-Top-Secret-2';
const DING_TOKEN = 'ding-access-token-3';
const SMTP_PASS = 'smtp-Top-Secret-4';

interface Received {
  path: string;
  body: any;
  headers: IncomingMessage['headers'];
  query: URLSearchParams;
}

/** The robots' fixture: refuses anything whose signature does not verify, as the services do. */
function robots(): Promise<{ server: Server; url: string; got: Received[]; rejected: string[] }> {
  const got: Received[] = [];
  const rejected: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url!, 'http://127.0.0.1');
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (u.pathname === '/hook') {
      const ts = String(req.headers['x-edusentry-timestamp']);
      const want = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${ts}.${raw}`).digest('hex')}`;
      if (req.headers['x-edusentry-signature'] !== want) {
        rejected.push('webhook');
        return answer(401, { error: 'bad signature' });
      }
    } else if (u.pathname === '/robot/send') {
      const ts = u.searchParams.get('timestamp') ?? '';
      const want = createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64');
      if (u.searchParams.get('access_token') !== DING_TOKEN || u.searchParams.get('sign') !== want) {
        rejected.push('dingtalk');
        return answer(200, { errcode: 310000, errmsg: 'sign not match' });
      }
    } else if (u.pathname === '/cgi-bin/webhook/send') {
      if (u.searchParams.get('key') !== 'wecom-key') return answer(200, { errcode: 93000, errmsg: 'invalid key' });
    } else return answer(404, {});
    got.push({ path: u.pathname, body: JSON.parse(raw), headers: req.headers, query: u.searchParams });
    answer(200, { errcode: 0, errmsg: 'ok' });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, rejected }),
    ),
  );
}

interface Mail {
  from: string;
  to: string[];
  secure: boolean;
  user: string | undefined;
  data: string;
}

async function smtp(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    // smtp-server's built-in self-signed certificate; the channel is configured not to verify it.
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'soc' && auth.password === SMTP_PASS) cb(null, { user: 'soc' });
      else cb(new Error('bad login'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          user: session.user as string | undefined,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
    logger: false,
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('outbound notifications', () => {
  let h: Harness;
  let r: Awaited<ReturnType<typeof robots>>;
  let m: Awaited<ReturnType<typeof smtp>>;
  let downPort: number;
  const logLines: string[] = [];
  let monitor: Session;
  let officer: Session;

  beforeAll(async () => {
    r = await robots();
    m = await smtp();
    downPort = await freePort();
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    h = await harness({
      log: createLogger('console', 'info', sink),
      config: consoleConfig({
        rateLimit: { max: 100_000, windowMs: 60_000, loginMax: 10_000 },
        notify: {
          channels: [
            { id: 'hook', kind: 'webhook', url: `${r.url}/hook`, secret: WEBHOOK_SECRET },
            {
              id: 'ding',
              kind: 'dingtalk',
              url: `${r.url}/robot/send?access_token=${DING_TOKEN}`,
              secret: DING_SECRET,
            },
            { id: 'wx', kind: 'wecom', url: `${r.url}/cgi-bin/webhook/send?key=wecom-key` },
            {
              id: 'mail',
              kind: 'email',
              host: '127.0.0.1',
              port: m.port,
              user: 'soc',
              pass: SMTP_PASS,
              from: 'soc@example.edu.cn',
              to: ['duty@example.edu.cn'],
              tls: { rejectUnauthorized: false },
            },
            { id: 'later', kind: 'webhook', url: `http://127.0.0.1:${downPort}/hook?token=${DING_TOKEN}` },
          ],
          routes: [
            { event: 'notice.issued', channels: ['ding', 'mail'] },
            { event: 'notice.*', minSeverity: '重大', orgId: 'c1', channels: ['wx'] },
            { event: 'alert.new', minSeverity: 'high', channels: ['hook'] },
            { event: 'site.down', channels: ['later'] },
          ],
          queue: { baseDelayMs: 1000, maxDelayMs: 60_000, pollMs: 60_000, timeoutMs: 3000 },
        },
      }),
    });
    monitor = await h.login('province_monitor.p1');
    officer = await h.login('school_officer.s1');
  });
  afterAll(async () => {
    await h.close();
    r.server.close();
    await new Promise<void>((done) => m.server.close(() => done()));
  });

  it('a notice reaches DingTalk (signed) and the mailbox (after STARTTLS and login); WeCom by severity and org', async () => {
    const { queue } = h.app.notices;
    const res = await h.req(monitor, {
      method: 'POST',
      url: '/api/notices',
      payload: { orgId: 's1', title: '弱口令', category: '配置', severity: '重大', actions: '改口令' },
    });
    expect(res.statusCode).toBe(201);
    const n = res.json();
    await queue.flush();
    const ding = r.got.filter((g) => g.path === '/robot/send');
    expect(ding).toHaveLength(1);
    expect(ding[0].body.msgtype).toBe('markdown');
    expect(ding[0].body.markdown.text).toContain(n.number);
    const wx = r.got.filter((g) => g.path === '/cgi-bin/webhook/send');
    expect(wx).toHaveLength(1);
    expect(wx[0].body.markdown.content).toContain('弱口令');
    expect(m.mails).toHaveLength(1);
    expect(m.mails[0]).toMatchObject({ secure: true, user: 'soc', to: ['duty@example.edu.cn'] });
    expect(m.mails[0].data).toMatch(/^X-EduSentry-Event: notice\.issued$/im);
    expect(r.rejected).toEqual([]);

    // Acknowledged: only the wx route matches notice.*; a 一般 notice to s1 or one outside c1 does not.
    const ack = await h.req(officer, { method: 'POST', url: `/api/notices/${n.id}/acknowledge`, payload: {} });
    expect(ack.statusCode).toBe(200);
    const low = await h.req(monitor, {
      method: 'POST',
      url: '/api/notices',
      payload: { orgId: 's3', title: '外市', category: '配置', severity: '特别重大', actions: 'x' },
    });
    expect(low.statusCode).toBe(201);
    await queue.flush();
    expect(r.got.filter((g) => g.path === '/cgi-bin/webhook/send')).toHaveLength(2);
    expect(r.got.filter((g) => g.path === '/robot/send')).toHaveLength(2);
    expect(m.mails).toHaveLength(2);
    const rows = queue.rows();
    expect(rows.every((x) => x.status === 'delivered' && x.attempts === 1)).toBe(true);
    expect(rows.map((x) => x.channel).sort()).toEqual(['ding', 'ding', 'mail', 'mail', 'wx', 'wx']);
  });

  it('a new alert goes to the signed webhook when severe enough', async () => {
    const { queue } = h.app.notices;
    const before = r.got.length;
    h.bus.emit('alert', alert(7, 's1', { level: 'medium' }));
    h.bus.emit('alert', alert(8, 's1', { level: 'critical' }));
    await queue.flush();
    const hooks = r.got.slice(before).filter((g) => g.path === '/hook');
    expect(hooks).toHaveLength(1);
    expect(hooks[0].body).toMatchObject({ event: 'alert.new', severity: 'critical', orgId: 's1' });
    expect(hooks[0].headers['x-edusentry-event']).toBe('alert.new');
    expect(r.rejected).toEqual([]);
  });

  it('a channel that is down, then up: nothing blocks, every message arrives once, each attempt recorded', async () => {
    const { queue } = h.app.notices;
    const ids = [1, 2, 3].flatMap((i) =>
      h.app.notices.publish({ event: 'site.down', title: `site ${i} down`, text: 'x', at: new Date(T0).toISOString() }),
    );
    expect(ids).toHaveLength(3);
    await queue.flush();
    let rows = queue.rows().filter((x) => ids.includes(x.id));
    expect(rows.every((x) => x.status === 'pending' && x.attempts === 1 && x.lastError)).toBe(true);
    // The console answers meanwhile, and other channels still deliver.
    expect((await h.req(monitor, { method: 'GET', url: '/api/notices' })).statusCode).toBe(200);
    const before = r.got.length;
    h.bus.emit('alert', alert(9, 's2', { level: 'critical' }));
    await queue.flush();
    expect(r.got.length).toBe(before + 1);
    // Not due yet: no second attempt.
    await queue.flush();
    expect(queue.attempts(ids[0])).toHaveLength(1);
    h.clock.now += 1000;
    await queue.flush();
    expect(queue.attempts(ids[0])).toHaveLength(2);

    // The receiver comes up on that port.
    const got: string[] = [];
    const up = createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      got.push(JSON.parse(body).title);
      res.end('{}');
    });
    up.listen(downPort, '127.0.0.1');
    await once(up, 'listening');
    try {
      h.clock.now += 2000;
      await queue.flush();
      await queue.flush();
      h.clock.now += 120_000;
      await queue.flush();
      expect(got.sort()).toEqual(['site 1 down', 'site 2 down', 'site 3 down']);
      rows = queue.rows().filter((x) => ids.includes(x.id));
      expect(rows.map((x) => [x.status, x.attempts])).toEqual([
        ['delivered', 3],
        ['delivered', 3],
        ['delivered', 3],
      ]);
      expect(queue.attempts(ids[0]).map((a) => a.ok)).toEqual([false, false, true]);
    } finally {
      up.close();
    }

    // The token in the down channel's URL is in no error and no log line.
    const errors = queue.attempts(ids[0]).map((a) => a.error ?? '');
    expect(errors[0]).toMatch(/ECONNREFUSED|fetch failed/);
    for (const text of [...errors, ...logLines]) {
      expect(text).not.toContain(DING_TOKEN);
      expect(text).not.toContain(SMTP_PASS);
      expect(text).not.toContain(WEBHOOK_SECRET);
    }
    expect(logLines.some((l) => l.includes('delivery failed, will retry'))).toBe(true);
  });

  it('a wrong secret is refused by the receiver and retried, never reported delivered', async () => {
    const { NotifyQueue } = await import('../src/notify/queue');
    const config = notifyConfigSchema.parse({
      channels: [
        { id: 'bad', kind: 'dingtalk', url: `${r.url}/robot/send?access_token=${DING_TOKEN}`, secret: 'SECwrong' },
      ],
      routes: [{ event: '*', channels: ['bad'] }],
    });
    const q = new NotifyQueue(h.app.ctx.state.db, config, {
      now: () => h.clock.now,
      log: createLogger('t', 'silent'),
      subtree: () => [],
    });
    const [id] = q.publish({ event: 'x', title: 't', text: 't', at: new Date(T0).toISOString() });
    await q.tick();
    expect(r.rejected).toContain('dingtalk');
    expect(q.rows().find((x) => x.id === id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(q.attempts(id)[0].error).toContain('310000');
  });

  it('the configuration names a route to an unknown channel', () => {
    const bad = notifyConfigSchema.safeParse({ routes: [{ event: 'notice.issued', channels: ['nope'] }] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues)).toContain('no channel \\"nope\\"');
  });

  it('the bell counts and clears', async () => {
    const bell = (await h.req(officer, { method: 'GET', url: '/api/notifications' })).json();
    expect(bell.unread).toBeGreaterThan(0);
    const read = await h.req(officer, { method: 'POST', url: '/api/notifications/read', payload: {} });
    expect(read.json().marked).toBe(bell.unread);
    expect((await h.req(officer, { method: 'GET', url: '/api/notifications' })).json().unread).toBe(0);
    // Nobody else's bell is touched.
    expect((await h.req(monitor, { method: 'GET', url: '/api/notifications' })).json().unread).toBeGreaterThan(0);
  });
});
