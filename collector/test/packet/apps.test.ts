import { createHash } from 'node:crypto';
import {
  parseDnsMessage,
  readName,
  DecodedPacket,
  decodeFrame,
  PacketPipeline,
  packetConfigSchema,
} from '../../src/packet';
import { readFileSync } from 'node:fs';
import { byDataset, readEvents, SV, tshark } from './helpers';

describe('dns', () => {
  test('UDP query and NXDOMAIN answer with SOA authority', async () => {
    const { events } = await readEvents(`${SV}/dns-eve-v2-udp-nxdomain-soa/dns-udp-nxdomain-soa.pcap`);
    const dns = byDataset(events, 'network.dns');
    expect(dns.map((e) => e.dns?.type)).toEqual(['query', 'answer']);
    const [q, a] = dns;
    expect(q.dns?.question).toMatchObject({ name: 'dne.oisf.net', type: 'A', class: 'IN' });
    expect(a.dns?.response_code).toBe('NXDOMAIN');
    expect(a.dns?.header_flags).toEqual(['QR', 'RD', 'RA']);
    expect((a.dns as Record<string, unknown>).authorities).toEqual([
      expect.objectContaining({ name: 'oisf.net', type: 'SOA', ttl: 899 }),
    ]);
    // Both are oriented like the flow: the client is the source.
    expect(a.source?.ip).toBe(q.source?.ip);
    expect(a.destination?.port).toBe(53);
    expect(a.network?.community_id).toBe(q.network?.community_id);
  });

  test('DNS over TCP with length framing', async () => {
    const file = `${SV}/dns-reversed-tcp-1/dns.pcap`;
    const { events } = await readEvents(file);
    const names = byDataset(events, 'network.dns').map((e) => e.dns?.question?.name);
    const expected = tshark(file, ['dns.qry.name'], ['-Y', 'dns']).map((r) => r[0]);
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(expected);
  });

  test('compression loops, bad pointers and truncated names are malformed, not crashes', () => {
    const header = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const loop = Buffer.concat([header, Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(() => parseDnsMessage(loop)).toThrow('name_pointer');
    const truncated = Buffer.concat([header, Buffer.from([5, 0x61, 0x62])]);
    expect(() => parseDnsMessage(truncated)).toThrow('name_truncated');
    const beyond = Buffer.concat([header, Buffer.from([0xc0, 200, 0, 1, 0, 1])]);
    expect(() => parseDnsMessage(beyond)).toThrow('name_pointer');
    // Non-printable bytes are escaped so the name stays one line.
    expect(readName(Buffer.from([3, 0x61, 0x0a, 0x62, 3, 0x63, 0x6f, 0x6d, 0]), 0)).toEqual(['a\\010b.com', 9]);
  });

  test('a DNS answer split into IPv4 fragments is reassembled and decoded', () => {
    const file = `${SV}/dns-eve-v2-udp-nxdomain-soa/dns-udp-nxdomain-soa.pcap`;
    // Take the real answer frame (Ethernet) and cut its IP payload into two fragments.
    const buf = readFileSync(file);
    let o = 24;
    const frames: Buffer[] = [];
    while (o + 16 <= buf.length) {
      const len = buf.readUInt32LE(o + 8);
      frames.push(buf.subarray(o + 16, o + 16 + len));
      o += 16 + len;
    }
    const answer = frames[1];
    const ihl = (answer[14] & 15) * 4;
    const ipPayload = answer.subarray(14 + ihl, 14 + answer.readUInt16BE(16));
    const frag = (data: Buffer, off: number, more: boolean) => {
      const f = Buffer.concat([answer.subarray(0, 14 + ihl), data]);
      f.writeUInt16BE(ihl + data.length, 16);
      f.writeUInt16BE((more ? 0x2000 : 0) | (off / 8), 20);
      return f;
    };
    const f1 = frag(ipPayload.subarray(0, 48), 0, true);
    const f2 = frag(ipPayload.subarray(48), 48, false);
    const pipeline = new PacketPipeline({
      config: packetConfigSchema.parse({}),
      organization: { id: 'o' },
      observer: {},
      source: 'test',
    });
    // Second fragment first: order must not matter.
    pipeline.handle(1, 1000, f2, 0, f2.length, f2.length);
    pipeline.handle(1, 1001, f1, 0, f1.length, f1.length);
    pipeline.finish();
    const events = pipeline.take();
    expect(pipeline.counters.reassembled).toBe(1);
    const dns = byDataset(events, 'network.dns');
    expect(dns).toHaveLength(1);
    expect(dns[0].dns?.response_code).toBe('NXDOMAIN');
    expect(dns[0].dns?.question?.name).toBe('dne.oisf.net');
    const p = decodeFrame(1, f2, new DecodedPacket());
    expect(p?.fragment).toBe(true);
    expect(p?.fragOffset).toBe(48);
  });
});

describe('http', () => {
  test('request and response paired: method, host, URI, user agent, status, VLAN', async () => {
    const { events } = await readEvents(`${SV}/bug-814/input.pcap`);
    const http = byDataset(events, 'network.http');
    const first = http.find((e) => e.url?.original === '/cgi-bin/cart32.exe');
    expect(first).toBeDefined();
    expect(first?.http?.request?.method).toBe('GET');
    expect(first?.url?.domain).toBe('www.net1.bg');
    expect(first?.user_agent?.original).toBe('Mozilla/4.75 (Nikto/2.1.4) (Evasions:None) (Test:000003)');
    expect(first?.http?.version).toBe('1.1');
    expect(first?.network?.vlan?.id).toBe('1111');
    // The server only ACKs: no response to pair with.
    expect(first?.http?.response).toBeUndefined();
  });

  test('request and response of one transaction are one event, across a one-way VLAN tag', async () => {
    const { events } = await readEvents(`${SV}/bug-4376/syn_retransmit_with_ts.pcap`, {
      flow: { vlanTracking: false },
    });
    const http = byDataset(events, 'network.http');
    expect(http).toHaveLength(1);
    expect(http[0].url?.domain).toBe('nx2500-242-4-server');
    expect(http[0].http?.request?.method).toBe('GET');
    expect(http[0].http?.response?.status_code).toBe(200);
    expect(http[0].http?.response?.body?.bytes).toBeGreaterThan(100_000);
    expect(http[0].network?.vlan?.id).toBe('3136');
  });
});

describe('tls', () => {
  test('SNI, version, certificate subject/issuer/validity as Suricata reports them', async () => {
    const { events } = await readEvents(`${SV}/bug-2646-01/input.pcap`);
    const [tls] = byDataset(events, 'network.tls');
    expect(tls.tls?.client?.server_name).toBe('raw.githubusercontent.com');
    expect(tls.tls?.version).toBe('1.2');
    expect(tls.tls?.server?.subject).toBe('C=US, ST=California, L=San Francisco, O=GitHub, Inc., CN=www.github.com');
    expect(tls.tls?.server?.issuer).toBe(
      'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert SHA2 High Assurance Server CA',
    );
    expect(tls.tls?.server?.not_before).toBe('2017-03-23T00:00:00.000Z');
    expect(tls.tls?.server?.not_after).toBe('2020-05-13T12:00:00.000Z');
    expect(tls.tls?.server?.hash?.sha1).toBe('CCAA484866460E91532C9C7C232AB1744D299D33');
  });

  test('JA3/JA3S agree with tshark, JA4 with Suricata', async () => {
    const file = `${SV}/bug-5713-01/TLSv1-Extracted-MaliciousC2.pcap`;
    const { events } = await readEvents(file);
    const [tls] = byDataset(events, 'network.tls');
    const ja3 = tshark(file, ['tls.handshake.ja3'], ['-Y', 'tls.handshake.type==1'])[0][0];
    expect(tls.tls?.client?.ja3).toBe(ja3);
    const other = `${SV}/bug-2646-01/input.pcap`;
    const [tls2] = byDataset((await readEvents(other)).events, 'network.tls');
    expect(tls2.tls?.server?.ja3s).toBe(tshark(other, ['tls.handshake.ja3s'], ['-Y', 'tls.handshake.type==2'])[0][0]);
    expect(tls2.tls?.client?.ja3).toBe(tshark(other, ['tls.handshake.ja3'], ['-Y', 'tls.handshake.type==1'])[0][0]);
    expect(tls.tls?.client?.ja4).toBe('t10i070600_c50f5591e341_ce66f3b797c1');
    expect(tls.tls?.version).toBe('1.0');
  });
});

describe('ssh', () => {
  test('banners and HASSH of both sides (inside a GRE tunnel)', async () => {
    const file = `${SV}/bug-5633-gre-02/gre-sample.pcap`;
    const { events } = await readEvents(file);
    const [ssh] = byDataset(events, 'network.ssh');
    const s = (ssh.edu as { ssh: Record<string, Record<string, string>> }).ssh;
    expect(s.client).toMatchObject({ software: 'OpenSSH_3.6.1p1', proto: '2.0' });
    expect(s.server).toMatchObject({ software: 'OpenSSH_3.1p1', proto: '1.99' });
    const [hassh] = tshark(file, ['ssh.kex.hassh'], ['-Y', 'ssh.kex.hassh']).map((r) => r[0]);
    const [hasshServer] = tshark(file, ['ssh.kex.hasshserver'], ['-Y', 'ssh.kex.hasshserver']).map((r) => r[0]);
    expect(s.client.hassh).toBe(hassh);
    expect(s.server.hassh).toBe(hasshServer);
    // HASSH is the MD5 of 'kex;ciphers;macs;compression' as each side offered them: recompute it from the
    // algorithm lists tshark reads, so the check does not rest on tshark's own hashing alone.
    const md5 = (algorithms: string) => createHash('md5').update(algorithms).digest('hex');
    const [clientAlgorithms] = tshark(file, ['ssh.kex.hassh_algorithms'], ['-Y', 'ssh.kex.hassh_algorithms']).map(
      (r) => r[0],
    );
    const [serverAlgorithms] = tshark(
      file,
      ['ssh.kex.hasshserver_algorithms'],
      ['-Y', 'ssh.kex.hasshserver_algorithms'],
    ).map((r) => r[0]);
    expect(clientAlgorithms.split(';')).toHaveLength(4);
    expect(s.client.hassh).toBe(md5(clientAlgorithms));
    expect(s.server.hassh).toBe(md5(serverAlgorithms));
    expect(s.client.hassh).not.toBe(s.server.hassh);
  });
});
