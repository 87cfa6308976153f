/**
 * ECS events of the packet path written straight to NDJSON text, for sinks that take
 * pre-serialised lines (EventSink.writeRaw). The text is exactly what JSON.stringify
 * gives for the event objects the pipeline builds otherwise (same keys, same order,
 * same ids: the equivalence test reads captures both ways), but no event object is
 * made: a flow event is built from the flow table's columns, and the constant parts
 * (organization, observer) are serialised and encoded once. Keeping them out of the
 * line strings also keeps those strings one-byte (names are often Chinese), which
 * V8 builds and encodes faster.
 */
import { tcpFlagNames, transportName } from '../protocol-names';

const FLAG_JSON = Array.from({ length: 256 }, (_, i) => JSON.stringify(tcpFlagNames(i)));
const TRANSPORT_JSON = Array.from({ length: 256 }, (_, i) => JSON.stringify(transportName(i)));
/** Top-level keys of the envelope: application fields naming one of these take the object path. */
const ENVELOPE = new Set(['@timestamp', 'event', 'organization', 'observer', 'source', 'destination', 'network']);

/** Lines are encoded into one buffer as they are made: cheaper than concatenating and encoding at the end. */
const INITIAL = 1 << 20;

export class NdjsonWriter {
  private buf = Buffer.allocUnsafe(INITIAL);
  private pos = 0;
  private lines = 0;
  /** `,"organization":{...},"observer":{...},`, serialised and UTF-8 encoded once. */
  private readonly constant: Buffer;

  constructor(organization: unknown, observer: unknown) {
    this.constant = Buffer.from(
      `,"organization":${JSON.stringify(organization)},"observer":${JSON.stringify(observer)},`,
    );
  }

  get count(): number {
    return this.lines;
  }

  /** The UTF-8 NDJSON produced since the last call, and how many lines. The bytes are the caller's. */
  take(): { text: Buffer; count: number } {
    const out = { text: this.buf.subarray(0, this.pos), count: this.lines };
    // A sink may hold on to the bytes (an async write): the next lines go to a new buffer.
    this.buf = Buffer.allocUnsafe(Math.max(INITIAL, this.pos));
    this.pos = 0;
    this.lines = 0;
    return out;
  }

  /** Room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Appends one NDJSON line: `head`, the organization and observer, then `tail` (with its newline). */
  private add(head: string, tail: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.room((head.length + tail.length) * 3 + this.constant.length);
    this.pos += this.buf.write(head, this.pos);
    this.pos += this.constant.copy(this.buf, this.pos);
    this.pos += this.buf.write(tail, this.pos);
    this.lines++;
  }

  /** Appends one line made elsewhere (an event that could not take the fast path). */
  line(json: string): void {
    this.room(json.length * 3 + 1);
    this.pos += this.buf.write(json + '\n', this.pos);
    this.lines++;
  }

  /** `{"ip":"…","port":n` (open: the caller adds counters or the closing brace). */
  static endpoint(ip: string, port: number, ports: boolean): string {
    return ports ? `{"ip":"${ip}","port":${port}` : `{"ip":"${ip}"`;
  }

  /** network.* up to direction, protocol and VLANs (open: flow events add bytes and packets). */
  static network(
    proto: number,
    v4: boolean,
    cid: string,
    direction: string,
    protocol: string | undefined,
    vlanCount: number,
    vlanOuter: number,
    vlanInner: number,
  ): string {
    let s = `{"transport":${TRANSPORT_JSON[proto]},"type":"${v4 ? 'ipv4' : 'ipv6'}","iana_number":"${proto}","community_id":"${cid}","direction":"${direction}"`;
    if (protocol) s += `,"protocol":${JSON.stringify(protocol)}`;
    if (vlanCount > 0) s += `,"vlan":{"id":"${vlanOuter}"}`;
    if (vlanCount > 1) s += `,"inner":{"vlan":{"id":"${vlanInner}"}}`;
    return s;
  }

  /** edu.flow: end reason, TCP flags seen, ICMP type/code, eviction. */
  static flowFields(
    reason: string,
    tcp: boolean,
    flagsFwd: number,
    flagsRev: number,
    icmp: boolean,
    icmpType: number,
    icmpCode: number,
  ): string {
    let s = `{"end_reason":"${reason}"`;
    if (tcp)
      s += `,"tcp_flags":${FLAG_JSON[flagsFwd | flagsRev]},"tcp_flags_client":${FLAG_JSON[flagsFwd]},"tcp_flags_server":${FLAG_JSON[flagsRev]}`;
    if (icmp) s += `,"icmp":{"type":${icmpType},"code":${icmpCode}}`;
    if (reason === 'evicted') s += ',"evicted":true';
    return s + '}';
  }

  /** A network.flow event; endpoints and network are open objects (see endpoint, network). */
  flow(
    start: string,
    id: string,
    end: string,
    duration: number,
    source: string,
    destination: string,
    network: string,
    bytes: number,
    packets: number,
    edu: string,
  ): void {
    this.add(
      `{"@timestamp":"${start}","event":{"id":"${id}","kind":"event","dataset":"network.flow","module":"edusentry",` +
        `"category":["network"],"type":["connection","end"],"action":"network_flow","start":"${start}","end":"${end}",` +
        `"duration":${duration}}`,
      `"source":${source}},"destination":${destination}},` +
        `"network":${network},"bytes":${bytes},"packets":${packets}},"edu":{"flow":${edu}}}\n`,
    );
  }

  /**
   * An application event: the envelope, then the parser's fields in their order. False
   * (nothing written) when a field would replace an envelope key: the caller serialises the object.
   */
  app(
    ts: string,
    id: string,
    dataset: string,
    web: boolean,
    action: string,
    source: string,
    destination: string,
    network: string,
    fields: Record<string, unknown>,
  ): boolean {
    for (const k in fields) if (ENVELOPE.has(k)) return false;
    const rest = JSON.stringify(fields);
    this.add(
      `{"@timestamp":"${ts}","event":{"id":"${id}","kind":"event","dataset":${JSON.stringify(dataset)},"module":"edusentry",` +
        `"category":${web ? '["network","web"]' : '["network"]'},"type":["protocol"],"action":${JSON.stringify(action)}}`,
      `"source":${source}},"destination":${destination}},"network":${network}}` +
        (rest === '{}' ? '}' : ',' + rest.slice(1)) +
        '\n',
    );
    return true;
  }
}
