/**
 * OWASP CRS regression tests → access-log events. Each test stage is one HTTP request; it
 * becomes the event our web-server log parser writes for it: the request target as
 * url.original (raw, percent-encoded as logged), method, user agent, referrer, and the
 * request body as http.request.body.content (servers that log bodies, and HTTP on the wire).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const CRS_DIR = join(__dirname, '../../../shared/testdata/web/coreruleset');

export interface CrsCase {
  id: string;
  family: string;
  attack: boolean;
  /** The payload reaches a field an access log carries (URI, user agent, referrer, body). */
  where: 'uri' | 'body' | 'header';
  /**
   * A no_expect_ids request whose CRS description says it is legitimate traffic ("Negative
   * test", "false positive", "valid", "benign", "legit").
   */
  labelledBenign: boolean;
  /**
   * What a no_expect_ids request really is. `no_expect_ids` only says one CRS rule must stay
   * quiet; `sibling` marks requests that are evidently attacks meant for another rule (see
   * {@link classifyNegatives}); every other negative is `benign`, the set the ≤ 2% goal is on.
   * Undefined for expect_ids requests.
   */
  negative?: 'benign' | 'sibling';
  /** Why a negative is `sibling`: the evidence, for the printed table. */
  siblingWhy?: string;
  event: Record<string, unknown>;
}

/** The request as CRS wrote it, kept for classifying negatives. */
interface RawCase {
  c: CrsCase;
  rule: string;
  desc: string;
  /** method, target, body and non-default headers: equal keys are the same request. */
  key: string;
  /** percent-decoded, lower-cased parameter values, whole parts and attacker-set header values. */
  values: string[];
}

export function loadCrsCases(): CrsCase[] {
  const raw: RawCase[] = [];
  for (const family of readdirSync(CRS_DIR).filter((d) => d.startsWith('REQUEST-'))) {
    for (const f of readdirSync(join(CRS_DIR, family)).filter((x) => x.endsWith('.yaml'))) {
      let doc: any;
      try {
        doc = parse(readFileSync(join(CRS_DIR, family, f), 'utf8'), { uniqueKeys: false });
      } catch {
        continue;
      }
      for (const t of doc?.tests ?? []) {
        (t.stages ?? []).forEach((st: any, si: number) => {
          const input = st.input ?? st.stage?.input;
          const log = (st.output ?? st.stage?.output)?.log ?? {};
          if (!input) return;
          const attack = Array.isArray(log.expect_ids) && log.expect_ids.length > 0;
          if (!attack && !(Array.isArray(log.no_expect_ids) && log.no_expect_ids.length)) return;
          const req = requestOf(input);
          const id = `${doc.rule_id ?? f}-${t.test_id}-${si}`;
          const headers = lower(req.headers);
          const path = req.uri.split('?')[0];
          const query = req.uri.includes('?') ? req.uri.slice(req.uri.indexOf('?') + 1) : undefined;
          const event: Record<string, unknown> = {
            '@timestamp': '2026-03-01T10:00:00Z',
            event: { id, kind: 'event', dataset: 'syslog', category: ['web'] },
            source: { ip: '203.0.113.50' },
            destination: { port: input.port ?? 80 },
            url: { original: req.uri, path, query },
            http: {
              request: {
                method: req.method,
                referrer: headers.referer,
                body: req.body ? { content: req.body } : undefined,
              },
              version: '1.1',
            },
            user_agent: headers['user-agent'] !== undefined ? { original: headers['user-agent'] } : undefined,
          };
          // A bare path like /get or /post/foo with no query and no body: the payload is in a header.
          const where = req.body ? 'body' : query !== undefined || !/^[\w/.-]*$/.test(path) ? 'uri' : 'header';
          const desc = String(t.desc ?? '');
          const labelledBenign = !attack && BENIGN_DESC.test(desc);
          const c: CrsCase = { id, family: family.slice(8, 11), attack, where, labelledBenign, event };
          raw.push({ c, rule: String(doc.rule_id ?? f), desc, ...requestIdentity(req, headers) });
        });
      }
    }
  }
  classifyNegatives(raw);
  return raw.map((r) => r.c);
}

/**
 * Sorts the no_expect_ids requests into attacks meant for a sibling rule and benign traffic,
 * from the CRS files alone. A negative is `sibling` when
 *  1. the same request is in another test's expect_ids, or
 *  2. one of its values contains a whole payload value that some test expects (a value with SQL
 *     or markup syntax in it, e.g. `pg_sleep(`, `alert(1)`, `values (`), or
 *  3. its description says the rule leaves it to another rule or misses it on purpose
 *     ("see 942500", "stricter sibling 941181", "False-negative"), or
 *  4. it is in {@link SIBLING_EXCEPTIONS}.
 * Everything else counts as benign, including negatives whose description is copied from the
 * attack tests ("SQL Injection Attack: SQL Tautology" on `a=11=1`): without evidence a request
 * is an attack, calling its alert a false positive is the honest side to err on.
 */
export function classifyNegatives(raw: RawCase[]): void {
  const expectedKeys = new Map<string, string>();
  const expectedValues = new Map<string, string>();
  for (const r of raw) {
    if (!r.c.attack) continue;
    if (!expectedKeys.has(r.key)) expectedKeys.set(r.key, r.c.id);
    for (const v of r.values) if (PAYLOAD_SYNTAX.test(v) && !expectedValues.has(v)) expectedValues.set(v, r.c.id);
  }
  // Long enough to be a payload, with words in it beyond a `name=` prefix (not `test=!@#`).
  const payloads = [...expectedValues.keys()].filter(
    (v) => v.length >= 8 && /[a-z].*[a-z].*[a-z]/.test(v.replace(/^[\w[\]-]*=/, '')),
  );
  for (const r of raw) {
    if (r.c.attack) continue;
    const sameRequest = expectedKeys.get(r.key);
    const contained = sameRequest
      ? undefined
      : r.values.flatMap((v) => payloads.filter((p) => v.includes(p)).map((p) => `${p} (${expectedValues.get(p)})`))[0];
    const said = SIBLING_DESC.exec(r.desc);
    const ownId = new RegExp(`\\b${r.rule}\\b`);
    const other = [...r.desc.matchAll(/\b9\d{5}\b/g)].map((m) => m[0]).find((x) => !ownId.test(x));
    const why = sameRequest
      ? `same request expected by ${sameRequest}`
      : contained
        ? `contains expected payload ${contained}`
        : other
          ? `description names rule ${other}`
          : said
            ? `description: "${said[0]}"`
            : SIBLING_EXCEPTIONS[r.c.id];
    r.c.negative = why ? 'sibling' : 'benign';
    if (why) r.c.siblingWhy = why;
  }
}

/** SQL or markup syntax: a value without any is a word, not a payload. */
const PAYLOAD_SYNTAX = /['"`<>();|*#\\]/;

const SIBLING_DESC = /false.?negative|not detected|cannot be catched|stricter sibling/i;

/**
 * Negatives that are attacks although no code rule above can tell: sqlmap payloads that CRS
 * rule 942360 leaves to its UNION/function siblings (its GH issue 1816 tests call them "known
 * false positive" of 942360, not of a WAF), a plain `'or'1` that 942522 leaves to 942521
 * ("doesn't block normal SQLi"), and a whole UNION SELECT in a path that 942101 skips only
 * because libinjection needs a quote to fingerprint it ("complete SQL command inside the path").
 */
const SIBLING_EXCEPTIONS: Record<string, string> = {
  '942360-29-0': 'sqlmap DBMS_LDAP.INIT ... FROM(DUAL) probe (CRS issue 1816: 942360 defers to sibling rules)',
  '942360-31-0': "sqlmap UNION ALL SELECT NULL,... CONCAT('qqkjq',...) probe (CRS issue 1816)",
  '942522-5-0': "'or'1 tautology: \"doesn't block normal SQLi\", left to 942521",
  '942101-11-0': 'a complete UNION ALL SELECT 1,2,3 FROM in the path (942101-9 expects the shorter "2 union all")',
};

/** Request identity and payload values, percent-decoded and lower-cased, for comparing tests. */
function requestIdentity(
  req: { method: string; uri: string; headers: Record<string, unknown>; body?: string },
  headers: Record<string, string>,
): { key: string; values: string[] } {
  const chosen = Object.entries(headers)
    .filter(([k, v]) => !ROUTINE_HEADERS.has(k) && v !== 'OWASP CRS test agent')
    .map(([, v]) => v);
  const query = req.uri.includes('?') ? req.uri.slice(req.uri.indexOf('?') + 1) : '';
  const path = req.uri.split('?')[0];
  const parts = [PAYLOAD_SYNTAX.test(path) ? path : '', query, req.body ?? '', ...chosen].filter(Boolean);
  const values = new Set<string>();
  for (const part of parts) {
    values.add(decoded(part));
    for (const kv of part.split(/[&;]/)) values.add(decoded(kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : kv));
  }
  values.delete('');
  const key = [req.method.toUpperCase(), decoded(req.uri), decoded(req.body ?? ''), ...chosen.map(decoded)].join('\n');
  return { key, values: [...values] };
}

const ROUTINE_HEADERS = new Set([
  'host',
  'accept',
  'accept-encoding',
  'accept-language',
  'accept-charset',
  'content-type',
  'content-length',
  'connection',
  'proxy-connection',
  'keep-alive',
  'cache-control',
]);

function decoded(s: string): string {
  let out = s.replace(/\+/g, ' ');
  for (let i = 0; i < 2; i++)
    out = out.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return out.toLowerCase().replace(/\s+/g, ' ').trim();
}

const BENIGN_DESC =
  /negative test|false.?positive|\bFP\b|legit|benign|should not|must not|not (?:be )?(?:an? )?(?:attack|match)/i;

function lower(h: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

function requestOf(input: any): { method: string; uri: string; headers: Record<string, unknown>; body?: string } {
  if (input.encoded_request) {
    const raw = Buffer.from(String(input.encoded_request), 'base64').toString('latin1');
    const [head, ...rest] = raw.split(/\r?\n\r?\n/);
    const [line, ...hdrs] = head.split(/\r?\n/);
    const [method, uri] = line.split(' ');
    const headers: Record<string, string> = {};
    for (const h of hdrs) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
    }
    return { method: method ?? 'GET', uri: uri ?? '/', headers, body: rest.join('\n\n') || undefined };
  }
  const data = Array.isArray(input.data) ? input.data.join('\n') : input.data;
  return {
    method: input.method ?? 'GET',
    uri: String(input.uri ?? '/'),
    headers: input.headers ?? {},
    body: data ? String(data) : undefined,
  };
}
