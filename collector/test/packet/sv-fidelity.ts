/**
 * Suricata-verify as ground truth: each tests/<name>/test.yaml lists `checks:` —
 * filters over Suricata's eve records with an expected count. The checks on flow,
 * dns, http, tls and ssh records whose keys we can map to ECS are evaluated on the
 * events we produce for the same capture.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ipBytes, type EcsEvent } from '@edusentry/core';
import { parse } from 'yaml';
import { readEvents, SV } from './helpers';

type Json = Record<string, any>;

/** eve keys that never decide applicability (record plumbing). */
const IGNORED = new Set([
  'event_type',
  'pcap_cnt',
  'tx_id',
  'flow_id',
  'in_iface',
  'timestamp',
  'dns.version',
  'dns.tx_id',
  'flow.reason',
  'flow.state',
  'tcp.state',
  'flow.start',
  'flow.end',
]);

const DATASET: Record<string, string> = {
  flow: 'network.flow',
  dns: 'network.dns',
  http: 'network.http',
  tls: 'network.tls',
  ssh: 'network.ssh',
};

const sameIp = (a: unknown, b: unknown) => {
  const x = typeof a === 'string' ? ipBytes(a) : undefined;
  const y = typeof b === 'string' ? ipBytes(b) : undefined;
  return !!x && !!y && Buffer.from(x).equals(Buffer.from(y));
};

const get = (e: Json, path: string): any => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), e as any);

const FLAG_BITS: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 };
const flagsHex = (names: string[] | undefined) =>
  (names ?? [])
    .reduce((a, n) => a | (FLAG_BITS[n] ?? 0), 0)
    .toString(16)
    .padStart(2, '0');

const TLS_VERSIONS: Record<string, string> = {
  'tls 1.0': 'TLSv1',
  'tls 1.1': 'TLS 1.1',
  'tls 1.2': 'TLS 1.2',
  'tls 1.3': 'TLS 1.3',
  'ssl 3.0': 'SSLv3',
};

/** A predicate for one eve key = value on our event, or undefined if the key has no ECS counterpart here. */
function predicate(type: string, key: string, want: any): ((e: Json) => boolean) | undefined {
  const eq =
    (path: string, f: (v: any) => any = (v) => v) =>
    (e: Json) =>
      f(get(e, path)) === want;
  const ans = /^dns\.(answers|authorities|additionals)\[(\d+)\]\.(rrname|rrtype|ttl|rdata)$/.exec(key);
  if (ans) {
    const field = { rrname: 'name', rrtype: 'type', ttl: 'ttl', rdata: 'data' }[ans[3]] as string;
    return (e) => {
      const v = e.dns?.[ans[1]]?.[Number(ans[2])]?.[field];
      return field === 'data' && typeof v === 'string' && typeof want === 'string' && (ipBytes(v) || ipBytes(want))
        ? sameIp(v, want)
        : v === want;
    };
  }
  const grouped = /^dns\.grouped\.([A-Z]+)\[(\d+)\]$/.exec(key);
  if (grouped)
    return (e) => (e.dns?.answers ?? []).filter((a: Json) => a.type === grouped[1])[Number(grouped[2])]?.data === want;
  const q = /^dns\.queries\[0\]\.(rrname|rrtype)$/.exec(key);
  if (q) return eq(q[1] === 'rrname' ? 'dns.question.name' : 'dns.question.type');
  switch (key) {
    case 'src_ip':
      return (e) => sameIp(e.source?.ip, want);
    case 'dest_ip':
      return (e) => sameIp(e.destination?.ip, want);
    case 'src_port':
      return eq('source.port');
    case 'dest_port':
      return eq('destination.port');
    case 'proto':
      return (e) => {
        const t = String(e.network?.transport ?? '').toUpperCase();
        return (
          t === String(want).toUpperCase() ||
          (t === 'IPV6-ICMP' && want === 'IPv6-ICMP') ||
          e.network?.iana_number === String(want)
        );
      };
    case 'community_id':
      return eq('network.community_id');
    case 'ip_v':
      return (e) => e.network?.type === `ipv${want}`;
    case 'vlan':
      return (e) =>
        JSON.stringify([e.network?.vlan?.id, e.network?.inner?.vlan?.id].filter((x) => x !== undefined).map(Number)) ===
        JSON.stringify(want);
    case 'vlan[0]':
      return (e) => Number(e.network?.vlan?.id) === want;
    case 'vlan[1]':
      return (e) => Number(e.network?.inner?.vlan?.id) === want;
    case 'app_proto':
      return ['dns', 'http', 'tls', 'ssh'].includes(want) ? eq('network.protocol') : undefined;
  }
  if (type === 'flow') {
    switch (key) {
      case 'flow.pkts_toserver':
        return eq('source.packets');
      case 'flow.pkts_toclient':
        return eq('destination.packets');
      case 'flow.bytes_toserver':
        return eq('source.bytes');
      case 'flow.bytes_toclient':
        return eq('destination.bytes');
      case 'flow.age':
        return (e) =>
          Math.floor(Date.parse(e.event.end) / 1000) - Math.floor(Date.parse(e.event.start) / 1000) === want;
      case 'icmp_type':
        return eq('edu.flow.icmp.type');
      case 'icmp_code':
        return eq('edu.flow.icmp.code');
      case 'tcp.tcp_flags':
        return (e) => flagsHex(e.edu?.flow?.tcp_flags) === want;
      case 'tcp.tcp_flags_ts':
        return (e) => flagsHex(e.edu?.flow?.tcp_flags_client) === want;
      case 'tcp.tcp_flags_tc':
        return (e) => flagsHex(e.edu?.flow?.tcp_flags_server) === want;
    }
    const flag = /^tcp\.(syn|fin|rst|psh|ack|urg|ecn|cwr)$/.exec(key);
    if (flag) return (e) => (e.edu?.flow?.tcp_flags ?? []).includes(flag[1].toUpperCase()) === want;
  }
  if (type === 'dns') {
    switch (key) {
      case 'dns.type':
        return (e) => e.dns?.type === ({ request: 'query', response: 'answer' } as Json)[want] || e.dns?.type === want;
      case 'dns.id':
        return eq('dns.id');
      case 'dns.rrname':
        return eq('dns.question.name');
      case 'dns.rrtype':
        return eq('dns.question.type');
      case 'dns.rcode':
        return eq('dns.response_code');
      case 'dns.opcode':
        return (e) => ['QUERY', 'IQUERY', 'STATUS', '3', 'NOTIFY', 'UPDATE'].indexOf(e.dns?.op_code) === want;
    }
    const hf = /^dns\.(qr|aa|tc|rd|ra|ad|cd)$/.exec(key);
    if (hf) return (e) => (e.dns?.header_flags ?? []).includes(hf[1].toUpperCase()) === want;
  }
  if (type === 'http') {
    switch (key) {
      case 'http.hostname':
        return eq('url.domain');
      case 'http.url':
        return eq('url.original');
      case 'http.http_user_agent':
        return eq('user_agent.original');
      case 'http.http_method':
        return eq('http.request.method');
      case 'http.status':
        return eq('http.response.status_code');
      case 'http.protocol':
        return (e) => `HTTP/${e.http?.version}` === want;
      case 'http.length':
        // Suricata reports 0 when no response body was seen.
        return (e) => (e.http?.response?.body?.bytes ?? 0) === want;
      case 'http.http_content_type':
        return (e) => e.http?.response?.mime_type === want;
      case 'http.http_refer':
        return eq('http.request.referrer');
    }
  }
  if (type === 'tls') {
    switch (key) {
      case 'tls.sni':
        return eq('tls.client.server_name');
      case 'tls.version':
        return (e) => TLS_VERSIONS[`${e.tls?.version_protocol} ${e.tls?.version}`] === want;
      case 'tls.subject':
        return eq('tls.server.subject');
      case 'tls.issuerdn':
        return eq('tls.server.issuer');
      case 'tls.notbefore':
        return (e) => String(e.tls?.server?.not_before).slice(0, 19) === want;
      case 'tls.notafter':
        return (e) => String(e.tls?.server?.not_after).slice(0, 19) === want;
      case 'tls.fingerprint':
        return (e) => (e.tls?.server?.hash?.sha1 ?? '').toLowerCase().replace(/(..)(?!$)/g, '$1:') === want;
      case 'tls.ja3.hash':
        return eq('tls.client.ja3');
      case 'tls.ja4':
        return eq('tls.client.ja4');
      case 'tls.ja3s.hash':
        return eq('tls.server.ja3s');
    }
  }
  if (type === 'ssh') {
    const m = /^ssh\.(client|server)\.(software_version|proto_version)$/.exec(key);
    if (m) return eq(`edu.ssh.${m[1]}.${m[2] === 'software_version' ? 'software' : 'proto'}`, (v) => v);
  }
  return undefined;
}

export interface CheckResult {
  test: string;
  type: string;
  expected: number;
  got: number;
  match: Json;
  ok: boolean;
}

export interface FidelityReport {
  applicable: CheckResult[];
  notApplicable: { test: string; reason: string }[];
  tests: number;
}

/** Suricata's own options in `args:` that change what it logs or how it keys flows. */
function options(args: string[]): { config: Json; skip?: string } {
  const config: Json = { communityIdSeed: 7, flow: {} };
  const all = args.join(' ');
  if (/vlan\.use-for-tracking=false/.test(all)) config.flow.vlanTracking = false;
  // We pick up TCP sessions midstream anyway, so stream.midstream=true matches our behaviour.
  if (
    /--simulate-ips|-r |exception-policy|--set (?!vlan|app-layer|outputs|stream\.reassembly\.depth|stream\.midstream=true)/.test(
      all,
    )
  )
    return { config, skip: `suricata args change the semantics: ${all}` };
  return { config };
}

/** Tests whose own suricata.yaml filters or conditions what eve logs, and HTTP/2 (we parse HTTP/1.x). */
function testSkip(name: string): string | undefined {
  if (/http2|doh2|dns-over-http/.test(name)) return 'HTTP/2 (out of scope: HTTP/1.x only)';
  if (/exception-policy/.test(name)) return 'exception policies (IPS semantics)';
  if (/^cond-log/.test(name)) return 'conditional logging (records only logged when a rule matches)';
  const cfg = join(SV, name, 'suricata.yaml');
  if (
    existsSync(cfg) &&
    /conditional:|^\s*types:|requests:\s*(no|false)|responses:\s*(no|false)|bypass:\s*(yes|true)/m.test(
      readFileSync(cfg, 'utf8'),
    )
  ) {
    return 'own suricata.yaml filters which records eve writes';
  }
  return undefined;
}

export async function runFidelity(limit = Infinity): Promise<FidelityReport> {
  const report: FidelityReport = { applicable: [], notApplicable: [], tests: 0 };
  const dirs = readdirSync(SV).sort();
  for (const name of dirs) {
    if (report.tests >= limit) break;
    const yamlPath = join(SV, name, 'test.yaml');
    if (!existsSync(yamlPath)) continue;
    let spec: Json;
    try {
      spec = parse(readFileSync(yamlPath, 'utf8')) ?? {};
    } catch {
      continue;
    }
    const checks: Json[] = (spec.checks ?? []).filter((c: Json) => c?.filter && DATASET[c.filter.match?.event_type]);
    if (!checks.length) continue;
    let pcap: string | undefined;
    if (typeof spec.pcap === 'string') pcap = resolve(SV, name, spec.pcap);
    else if (spec.pcap !== false) {
      const found = readdirSync(join(SV, name)).filter((f) => /\.(pcap|pcapng)$/.test(f));
      if (found.length === 1) pcap = join(SV, name, found[0]);
    }
    if (!pcap || !existsSync(pcap)) {
      report.notApplicable.push({ test: name, reason: 'no single capture' });
      continue;
    }
    const { config, skip: argSkip } = options((spec.args ?? []).map(String));
    const skip = argSkip ?? testSkip(name);
    if (skip) {
      report.notApplicable.push({ test: name, reason: skip });
      continue;
    }
    if (spec.requires?.['lt-version']) {
      report.notApplicable.push({ test: name, reason: 'checks an older Suricata version' });
      continue;
    }
    report.tests++;
    let events: EcsEvent[];
    try {
      events = (await readEvents(pcap, config)).events;
    } catch (err) {
      for (const c of checks)
        report.applicable.push({
          test: name,
          type: c.filter.match.event_type,
          expected: c.filter.count ?? 1,
          got: -1,
          match: { error: String(err) },
          ok: false,
        });
      continue;
    }
    for (const c of checks) {
      const f = c.filter;
      if (f.requires?.['lt-version'] || f['lt-version']) continue;
      if (f.filename && f.filename !== 'eve.json') {
        report.notApplicable.push({ test: name, reason: `check reads another output file (${f.filename})` });
        continue;
      }
      const type = f.match.event_type;
      const preds: ((e: Json) => boolean)[] = [];
      const unmapped: string[] = [];
      for (const [k, v] of Object.entries(f.match as Json)) {
        if (IGNORED.has(k)) continue;
        const p = predicate(type, k, v);
        if (p) preds.push(p);
        else unmapped.push(k);
      }
      if (unmapped.length) {
        report.notApplicable.push({
          test: name,
          reason: `${type}: eve keys without an ECS counterpart here: ${unmapped.join(', ')}`,
        });
        continue;
      }
      const mine = events.filter((e) => e.event.dataset === DATASET[type]);
      const got = mine.filter((e) => preds.every((p) => p(e as Json))).length;
      const expected = f.count ?? 1;
      report.applicable.push({ test: name, type, expected, got, match: f.match, ok: got === expected });
    }
  }
  return report;
}
