/**
 * Web server access logs in the combined format (nginx's default "combined",
 * Apache's LogFormat "combined") and the common format without referrer/agent.
 * Sets url.*, http.*, user_agent.original and source.ip so the web-attack Sigma
 * rules can match.
 */
import { isoFromMs } from '../../time';
import type { DeviceParser, ParsedLog } from './types';
import { compact, ip, int } from './util';

const LINE =
  /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+?)(?: (HTTP\/[\d.]+))?" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;
const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

/**
 * LINE's match of a line. A line without '] "' cannot match (skips the regex for the
 * lines of other devices), and the last result is kept: a line is matched by
 * `matches` and then by `parse`, one after the other.
 */
let lastLine: string | undefined;
let lastMatch: RegExpExecArray | null = null;
function lineMatch(m: string): RegExpExecArray | null {
  if (m !== lastLine) {
    lastMatch = m.includes('] "') ? LINE.exec(m) : null;
    lastLine = m;
  }
  return lastMatch;
}

/** "10/Oct/2000:13:55:36 -0700" → ISO. The last answer is kept: a busy server writes many lines a second. */
let lastClf: string | undefined;
let lastIso: string | undefined;
export function clfTime(s: string): string | undefined {
  if (s !== lastClf) {
    lastIso = clfTimeOf(s);
    lastClf = s;
  }
  return lastIso;
}

function clfTimeOf(s: string): string | undefined {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{2})(\d{2})$/.exec(s);
  if (!m || !MONTHS[m[2]]) return undefined;
  const t = Date.parse(`${m[3]}-${MONTHS[m[2]]}-${m[1]}T${m[4]}:${m[5]}:${m[6]}${m[7]}:${m[8]}`);
  return Number.isNaN(t) ? undefined : isoFromMs(t);
}

function accessLog(name: string, product: string): DeviceParser {
  return {
    name,
    vendor: name === 'nginx' ? 'F5' : 'Apache',
    product,
    programs: [name, name === 'apache' ? 'httpd' : 'nginx'],
    matches: (m) => lineMatch(m) !== null,
    parse(m): ParsedLog | undefined {
      const r = lineMatch(m);
      if (!r) return undefined;
      const [, client, user, time, method, target, version, status, size, referrer, agent] = r;
      const q = target.indexOf('?');
      const path = q >= 0 ? target.slice(0, q) : target;
      const query = q >= 0 ? target.slice(q + 1) : undefined;
      const code = Number(status);
      return {
        fields: compact({
          '@timestamp': clfTime(time),
          event: {
            category: ['web'],
            type: ['access'],
            action: method.toLowerCase(),
            outcome: code < 400 ? 'success' : 'failure',
          },
          source: { ip: ip(client), address: client },
          user: user !== '-' ? { name: user } : undefined,
          url: { original: target, path, query },
          http: {
            version: version?.slice(5),
            request: { method, referrer: referrer && referrer !== '-' ? referrer : undefined },
            response: { status_code: code, body: { bytes: int(size === '-' ? undefined : size) } },
          },
          user_agent: agent && agent !== '-' ? { original: agent } : undefined,
        }),
      };
    },
  };
}

export const nginx = accessLog('nginx', 'nginx');
export const apache = accessLog('apache', 'httpd');
