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
   * test", "false positive", "valid", "benign", "legit"); the others may be attacks aimed at a
   * sibling rule, so only these give a false-positive rate that is not an upper bound.
   */
  labelledBenign: boolean;
  event: Record<string, unknown>;
}

export function loadCrsCases(): CrsCase[] {
  const out: CrsCase[] = [];
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
          const where = req.body ? 'body' : /[?&=%'"<>(]/.test(req.uri) ? 'uri' : 'header';
          const labelledBenign = !attack && BENIGN_DESC.test(String(t.desc ?? ''));
          out.push({ id, family: family.slice(8, 11), attack, where, labelledBenign, event });
        });
      }
    }
  }
  return out;
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
