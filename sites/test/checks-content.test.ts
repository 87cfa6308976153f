/** content, dark-link, sensitive and offsite-stale checks: each finding kind, positive and negative. */
import { html, bytes } from './helpers/site-server';
import { kinds, startWorld, type World } from './helpers/world';
import { idCheckDigit } from '../src';

let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 60_000);
afterAll(() => w.close());

const news = (items: string[], date: string) => `<!doctype html><html><head><title>XX中学</title></head><body>
  <div class="nav"><a href="/">首页</a><a href="/news">新闻</a></div>
  <h1>XX中学欢迎您</h1>
  <img src="/img/gate.jpg"><img src="/img/hall.jpg">
  <ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>
  <p>更新日期 ${date}</p><div class="footer">版权所有 XX中学 电话 0531-1234567</div></body></html>`;
const ITEMS = ['我校举行开学典礼', '教师节表彰大会', '秋季运动会通知', '家长会安排', '图书馆开放时间'];

test('tampered: a defacement is found, an ordinary update is not (and rolls the baseline)', async () => {
  const m = w.monitor();
  w.web.route('update.test', '/', html(news(ITEMS, '2026-11-01')));
  w.web.route('deface.test', '/', html(news(ITEMS, '2026-11-01')));
  const first = await m.runSite(w.site('u', w.http('update.test')));
  expect(first.events.find((e) => e.event.action === 'content')!.edu).toMatchObject({ site: { baseline: 'recorded' } });
  await m.runSite(w.site('d', w.http('deface.test')));
  // Ordinary update: a news item added, the date changed.
  w.web.route('update.test', '/', html(news(['新学期选课通知', ...ITEMS], '2026-12-04')));
  const upd = await m.runSite(w.site('u', w.http('update.test')));
  expect(upd.findings).toEqual([]);
  expect(upd.events.find((e) => e.event.action === 'content')!.edu).toMatchObject({ site: { baseline: 'updated' } });
  // Defacement: the page replaced by a signed one.
  w.web.route(
    'deface.test',
    '/',
    html(
      '<html><head><title>Hacked by BlackTeam</title></head><body><h1>Hacked by BlackTeam</h1><p>your security is an illusion</p><img src="/x.gif"></body></html>',
    ),
  );
  const def = await m.runSite(w.site('d', w.http('deface.test')));
  expect(kinds(def.findings)).toEqual(['tampered']);
  expect(def.findings[0].data).toMatchObject({
    reason: expect.stringMatching(/signature/),
    before: { title: 'XX中学' },
    after: { title: 'Hacked by BlackTeam' },
  });
  // The baseline is kept; the finding stays until accepted, but is new only once.
  const again = await m.runSite(w.site('d', w.http('deface.test')));
  expect(kinds(again.findings)).toEqual(['tampered']);
  const contentEv = again.events.find((e) => e.event.action === 'content')!;
  expect((contentEv.edu as { site: { new_findings?: string[] } }).site.new_findings).toBeUndefined();
  expect(m.baselines.accept('d', 'tester')).toEqual([w.http('deface.test')]);
  expect((await m.runSite(w.site('d', w.http('deface.test')))).findings).toEqual([]);
});

test('tampered without a signature: most text replaced; images swapped', async () => {
  const m = w.monitor();
  w.web.route('deface.test', '/t', html(news(ITEMS, '2026-11-01')));
  await m.runSite(w.site('t', w.http('deface.test', '/t')));
  w.web.route(
    'deface.test',
    '/t',
    html(
      news(['买球就上', '官方网站', '注册送彩金', '在线客服', '立即下载'], '2026-11-01')
        .replace('XX中学欢迎您', '欢迎光临')
        .replace('<title>XX中学', '<title>欢迎光临'),
    ),
  );
  const r = await m.runSite(w.site('t', w.http('deface.test', '/t')));
  expect(kinds(r.findings)).toEqual(['tampered']);
  expect(r.findings[0].data).toMatchObject({ reason: 'most visible text replaced' });
  // Images swapped with a little text changed is a defacement; the same text change alone is an update.
  const gallery = (imgs: string[], items: string[]) =>
    html(
      news(items, '2026-11-01').replace(
        '<img src="/img/gate.jpg"><img src="/img/hall.jpg">',
        imgs.map((i) => `<img src="${i}">`).join(''),
      ),
    );
  const imgs = ['/img/a.jpg', '/img/b.jpg', '/img/c.jpg'];
  const changed = ['通知一', '通知二', ...ITEMS.slice(2)];
  for (const [id, swap, finding] of [
    ['g1', true, ['tampered']],
    ['g2', false, []],
  ] as const) {
    w.web.route('deface.test', `/${id}`, gallery(imgs, ITEMS));
    await m.runSite(w.site(id, w.http('deface.test', `/${id}`)));
    w.web.route('deface.test', `/${id}`, gallery(swap ? ['/up/1.gif', '/up/2.gif', '/up/3.gif'] : imgs, changed));
    const g = await m.runSite(w.site(id, w.http('deface.test', `/${id}`)));
    expect(kinds(g.findings)).toEqual(finding);
    if (swap) expect(g.findings[0].data).toMatchObject({ reason: 'images swapped' });
  }
});

test('injected_script: a new script or frame from a foreign domain; own scripts are not', async () => {
  const m = w.monitor();
  const page = (extra: string) => html(news(ITEMS, '2026-11-01').replace('</body>', `${extra}</body>`));
  w.web.route('inject.test', '/', page('<script src="/js/app.js"></script>'));
  await m.runSite(w.site('i', w.http('inject.test')));
  w.web.route('inject.test', '/', page('<script src="/js/app.js"></script><script src="/js/new.js"></script>'));
  expect((await m.runSite(w.site('i', w.http('inject.test')))).findings).toEqual([]);
  w.web.route(
    'inject.test',
    '/',
    page(
      '<script src="/js/app.js"></script><script src="/js/new.js"></script><script src="http://cdn.evil.example/m.js"></script><iframe src="http://ads.bad.example/" width=0 height=0></iframe>',
    ),
  );
  const r = await m.runSite(w.site('i', w.http('inject.test')));
  expect(kinds(r.findings)).toEqual(['injected_script']);
  expect(r.findings.map((f) => f.data!.src).sort()).toEqual([
    'http://ads.bad.example/',
    'http://cdn.evil.example/m.js',
  ]);
});

const DARK = `<html><head><title>XX小学</title><style>
  .hide1 { display: none } #pos { position: absolute; left: -9999px; top: 0 } .tiny { width: 1px; height: 1px; overflow: hidden }
  .box { height: 0; overflow: hidden } .menu:hover { display: block } .menu { display: none }
</style></head><body style="background:#fff">
<p>学校新闻</p>
<div class="hide1"><a href="http://www.bet-a.example/">博彩</a></div>
<div style="visibility:hidden"><a href="http://b.example/">六合彩开奖</a></div>
<div id="pos"><a href="http://c.example/">c</a></div>
<div class="tiny"><a href="http://d.example/">d</a></div>
<div class="box"><a href="http://e.example/">e</a></div>
<p style="color:#ffffff"><a href="http://f.example/">f</a></p>
<span style="font-size:0"><a href="http://g.example/">g</a></span>
<marquee height=1 width=1><a href="http://h.example/">h</a></marquee>
<div style="opacity:0"><a href="http://i.example/">i</a></div>
<script>document.write('<div style="display:none"><a href="http://j.example/">' + "\\u79c1\\u670d" + '</a></div>');</script>
<script>document.getElementById('x').innerHTML = '<a href="http://k.example/">棋牌游戏</a>';</script>
<a class="skip" style="position:absolute;left:-9999px" href="#main">跳到正文</a>
<div class="hide1"><a href="/mobile/menu">手机菜单</a><a href="http://www.dark.test/about">关于</a></div>
<ul class="menu"><li><a href="http://partner.example/">合作单位</a></li></ul>
<a href="http://visible.example/">友情链接 教育局</a>
</body></html>`;

test('dark_link: every hiding technique, script-written links; own hidden links and collapsed menus are not findings', async () => {
  w.web.route('dark.test', '/', html(DARK));
  const r = await w.monitor().runSite(w.site('k', w.http('dark.test')));
  const dark = r.findings.filter((f) => f.kind === 'dark_link');
  const byHost = Object.fromEntries(
    dark.map((f) => [new URL(String(f.data!.href)).hostname, f.data!.techniques as string[]]),
  );
  expect(byHost).toEqual({
    'www.bet-a.example': ['display_none'],
    'b.example': ['visibility_hidden'],
    'c.example': ['offscreen'],
    'd.example': ['zero_size'],
    'e.example': ['overflow_hidden'],
    'f.example': ['same_color'],
    'g.example': ['zero_font'],
    'h.example': ['marquee'],
    'i.example': ['opacity_zero'],
    'j.example': ['display_none', 'script_write'],
  });
  const bet = dark.find((f) => String(f.data!.href).includes('bet-a'))!;
  expect(bet).toMatchObject({ severity: 'high', data: { keywords: ['博彩'], categories: ['gambling'] } });
  expect(dark.find((f) => String(f.data!.href).includes('j.example'))!.data).toMatchObject({ keywords: ['私服'] });
  expect(dark.find((f) => String(f.data!.href).includes('c.example'))!.severity).toBe('medium');
  // k.example is written by script but visible: not hidden, so not a dark link; partner.example is a hover menu.
  expect(Object.keys(byHost)).not.toContain('k.example');
  expect(Object.keys(byHost)).not.toContain('partner.example');
  expect(Object.keys(byHost)).not.toContain('visible.example');
  expect(r.events.find((e) => e.event.action === 'dark-link')!.edu).toMatchObject({
    site: { findings: expect.any(Array) },
  });
});

function idNumber(first17: string): string {
  return first17 + idCheckDigit(first17);
}

test('personal_data and sensitive_word: valid ID numbers and mobiles in the page and its attachments, masked; invalid ones not counted', async () => {
  const valid = idNumber('11010519491231002');
  const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
  const inCsv = idNumber('37010220050101123');
  w.web.route(
    'pii.test',
    '/',
    html(
      `<html><body><p>学生名单 ${valid} 电话 13812345678</p><p>${wrong}</p><p>出售公民信息</p><a href="/files/list.csv">名单</a><a href="/files/a.txt">说明</a><a href="http://other.example/x.csv">外站</a></body></html>`,
    ),
  );
  w.web.route('pii.test', '/files/list.csv', bytes(Buffer.from(`name,id\n张三,${inCsv}\n`), 'text/csv'));
  w.web.route('pii.test', '/files/a.txt', bytes(Buffer.from('无个人信息'), 'text/plain'));
  w.web.route('normal.test', '/', html('<p>订单号 110105194912310021x 不是号码</p>'));
  const m = w.monitor();
  const r = await m.runSite(w.site('p', w.http('pii.test')));
  expect(kinds(r.findings)).toEqual(['personal_data', 'sensitive_word']);
  const pd = r.findings.filter((f) => f.kind === 'personal_data');
  expect(pd).toHaveLength(2);
  const page = pd.find((f) => f.data!.url === w.http('pii.test'))!;
  expect(page.data).toMatchObject({ id_numbers: 1, mobiles: 1 });
  expect(pd.find((f) => String(f.data!.url).endsWith('list.csv'))!.data).toMatchObject({ id_numbers: 1, mobiles: 0 });
  const all = JSON.stringify(r.events);
  for (const full of [valid, inCsv, '13812345678']) expect(all).not.toContain(full);
  expect(page.data!.samples).toEqual([`110*************${valid.slice(16)}`, '138****5678']);
  expect(w.web.requests.some((x) => x.startsWith('other.example'))).toBe(false);
  expect((await m.runSite(w.site('n', w.http('normal.test')))).findings).toEqual([]);
});

test('offsite_host (双非) and stale (zombie site)', async () => {
  w.web.route('own.test', '/', html('<p>page</p>'));
  const m = w.monitor();
  const off = await m.runSite(w.site('o', w.http('own.test'), { ownCidrs: ['10.0.0.0/8'] }));
  expect(kinds(off.findings)).toEqual(['offsite_host']);
  expect(kinds((await m.runSite(w.site('o2', w.http('own.test'), { ownCidrs: ['127.0.0.0/8'] }))).findings)).toEqual(
    [],
  );
  expect(
    kinds(
      (await m.runSite(w.site('o3', w.http('own.test'), { ownCidrs: ['10.0.0.0/8'], ownDomains: ['own.test'] })))
        .findings,
    ),
  ).toEqual([]);
  const dataDir = `${w.dir}/stale-data`;
  await w.monitor({}, { dataDir }).runSite(w.site('z', w.http('own.test')));
  const later = w.monitor({}, { dataDir, now: () => new Date(Date.now() + 200 * 86_400_000) });
  expect(kinds((await later.runSite(w.site('z', w.http('own.test')))).findings)).toEqual(['stale']);
  const soon = w.monitor({}, { dataDir, now: () => new Date(Date.now() + 100 * 86_400_000) });
  expect((await soon.runSite(w.site('z', w.http('own.test')))).findings).toEqual([]);
});
