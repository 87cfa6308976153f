import { DecodedPacket, FlowTable, TCP, type EndReason } from '../../src/packet';

function pkt(src: number, dst: number, sp: number, dp: number, flags = 0, proto = 6, vlan = 0): DecodedPacket {
  const p = new DecodedPacket();
  p.ipVersion = 4;
  p.src[0] = src;
  p.dst[0] = dst;
  p.srcPort = sp;
  p.dstPort = dp;
  p.protocol = proto;
  p.tcpFlags = flags;
  p.vlanOuter = vlan;
  p.vlanCount = vlan ? 1 : 0;
  return p;
}

function table(opts: Partial<ConstructorParameters<typeof FlowTable>[0]> = {}) {
  const ended: { slot: number; reason: EndReason; fwd: number; rev: number; bytes: number; a: number }[] = [];
  const t: FlowTable = new FlowTable(
    {
      maxFlows: 1000,
      idleTimeoutMs: 60_000,
      activeTimeoutMs: 600_000,
      closedTimeoutMs: 5_000,
      initialCapacity: 4,
      ...opts,
    },
    (slot, reason) =>
      ended.push({
        slot,
        reason,
        fwd: t.packetsFwd[slot],
        rev: t.packetsRev[slot],
        bytes: t.bytesFwd[slot] + t.bytesRev[slot],
        a: t.addrA[slot * 4],
      }),
  );
  return { t, ended };
}

describe('flow table', () => {
  test('both directions of a connection are one flow with per-direction counters', () => {
    const { t, ended } = table();
    const s1 = t.update(pkt(1, 2, 1000, 80, TCP.SYN), 0, 60);
    expect(t.isNew).toBe(true);
    const s2 = t.update(pkt(2, 1, 80, 1000, TCP.SYN | TCP.ACK), 1, 60);
    expect(s2).toBe(s1);
    expect(t.dir).toBe(1);
    t.update(pkt(1, 2, 1000, 80, TCP.ACK), 2, 54);
    t.flush();
    expect(ended).toEqual([{ slot: s1, reason: 'end_of_capture', fwd: 2, rev: 1, bytes: 174, a: 1 }]);
  });

  test('VLAN and protocol are part of the key', () => {
    const { t } = table();
    t.update(pkt(1, 2, 5, 6, 0, 17, 10), 0, 1);
    t.update(pkt(1, 2, 5, 6, 0, 17, 20), 0, 1);
    t.update(pkt(1, 2, 5, 6, 0, 6, 10), 0, 1);
    expect(t.count).toBe(3);
  });

  test('a SYN-ACK seen first makes its receiver the initiator', () => {
    const { t } = table();
    const s = t.update(pkt(2, 1, 80, 1000, TCP.SYN | TCP.ACK), 0, 60);
    expect(t.addrA[s * 4]).toBe(1);
    expect(t.portB[s]).toBe(80);
    expect(t.dir).toBe(1);
  });

  test('idle timeout, FIN/RST closing with a grace period, and port reuse', () => {
    const { t, ended } = table();
    t.update(pkt(1, 2, 1, 2, 0, 17), 0, 10);
    t.update(pkt(3, 4, 1000, 80, TCP.SYN), 0, 10);
    t.update(pkt(3, 4, 1000, 80, TCP.FIN | TCP.ACK), 1000, 10);
    t.update(pkt(4, 3, 80, 1000, TCP.FIN | TCP.ACK), 1001, 10);
    t.update(pkt(3, 4, 1000, 80, TCP.ACK), 1002, 10); // last ACK stays in the closing flow
    t.expire(3000);
    expect(ended).toEqual([]);
    t.expire(6002);
    expect(ended.map((e) => [e.a, e.reason, e.fwd + e.rev])).toEqual([[3, 'fin', 3 + 1]]);
    t.expire(60_000);
    expect(ended.map((e) => e.reason)).toEqual(['fin', 'idle_timeout']);
    // RST then a new SYN on the same ports: two flows.
    t.update(pkt(5, 6, 7, 8, TCP.SYN), 70_000, 1);
    t.update(pkt(6, 5, 8, 7, TCP.RST), 70_001, 1);
    t.update(pkt(5, 6, 7, 8, TCP.SYN), 70_002, 1);
    expect(ended.map((e) => e.reason)).toEqual(['fin', 'idle_timeout', 'port_reuse']);
    expect(t.count).toBe(1);
  });

  test('active timeout reports the flow and keeps counting in a fresh record', () => {
    const { t, ended } = table({ activeTimeoutMs: 10_000 });
    for (let ts = 0; ts <= 25_000; ts += 1000) t.update(pkt(1, 2, 3, 4, 0, 17), ts, 100);
    t.flush();
    expect(ended.map((e) => [e.reason, e.fwd])).toEqual([
      ['active_timeout', 10],
      ['active_timeout', 10],
      ['end_of_capture', 6],
    ]);
  });

  test('bounded: beyond maxFlows the least recently active flow is evicted and counted', () => {
    const { t, ended } = table({ maxFlows: 16 });
    for (let i = 0; i < 40; i++) t.update(pkt(100 + i, 2, 3, 4, 0, 17), i, 1);
    expect(t.count).toBe(16);
    expect(t.evictions).toBe(24);
    expect(ended.slice(0, 3).map((e) => [e.a, e.reason])).toEqual([
      [100, 'evicted'],
      [101, 'evicted'],
      [102, 'evicted'],
    ]);
  });

  test('a flow active since it was queued is neither expired nor evicted before an idle one', () => {
    const { t, ended } = table({ maxFlows: 2 });
    t.update(pkt(1, 9, 3, 4, 0, 17), 0, 1); // busy flow, queued first
    t.update(pkt(2, 9, 3, 4, 0, 17), 10, 1); // idle flow, queued after it
    for (let ts = 1000; ts <= 59_000; ts += 1000) t.update(pkt(1, 9, 3, 4, 0, 17), ts, 1);
    t.expire(60_009);
    expect(ended).toEqual([]);
    t.expire(60_010);
    expect(ended.map((e) => [e.a, e.reason])).toEqual([[2, 'idle_timeout']]);
    // Full table: the least recently active flow makes room, not the first queued.
    t.update(pkt(3, 9, 3, 4, 0, 17), 60_020, 1);
    t.update(pkt(1, 9, 3, 4, 0, 17), 60_030, 1);
    t.update(pkt(4, 9, 3, 4, 0, 17), 60_040, 1);
    expect(ended.map((e) => [e.a, e.reason])).toEqual([
      [2, 'idle_timeout'],
      [3, 'evicted'],
    ]);
    t.expire(120_029);
    expect(ended.length).toBe(2);
    t.expire(120_030);
    expect(ended.map((e) => e.a)).toEqual([2, 3, 1]);
  });

  test('consecutive packets of one flow (the recent-flow shortcut) keep direction, VLAN and ends right', () => {
    const { t, ended } = table();
    const s = t.update(pkt(1, 2, 1000, 80, TCP.SYN), 0, 1);
    expect(t.update(pkt(2, 1, 80, 1000, TCP.SYN | TCP.ACK), 1, 1)).toBe(s);
    expect(t.dir).toBe(1);
    expect(t.update(pkt(1, 2, 1000, 80, TCP.ACK), 2, 1)).toBe(s);
    expect(t.dir).toBe(0);
    // Same addresses and ports on another VLAN, or another protocol: other flows.
    expect(t.update(pkt(1, 2, 1000, 80, TCP.ACK, 6, 7), 3, 1)).not.toBe(s);
    expect(t.isNew).toBe(true);
    expect(t.update(pkt(1, 2, 1000, 80, 0, 17), 4, 1)).not.toBe(s);
    expect(t.isNew).toBe(true);
    t.flush();
    expect(ended.length).toBe(3);
    const again = t.update(pkt(1, 2, 1000, 80, TCP.ACK), 5, 1);
    expect(t.isNew).toBe(true);
    expect([t.packetsFwd[again] + t.packetsRev[again], t.count]).toEqual([1, 1]);
  });

  test('index stays consistent under growth and churn (compared with a Map model)', () => {
    const { t } = table({ maxFlows: 5000, idleTimeoutMs: 50 });
    const model = new Map<string, number>();
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
    for (let ts = 0; ts < 20_000; ts++) {
      const a = rnd() % 300;
      const b = rnd() % 300;
      const fwd = rnd() & 1;
      const p = fwd ? pkt(a, b + 1000, 1, 2, 0, 17) : pkt(b + 1000, a, 2, 1, 0, 17);
      const key = `${a}-${b}`;
      const slot = t.update(p, ts, 1);
      if (!t.isNew) expect(model.get(key)).toBe(slot);
      model.set(key, slot);
      for (const [k, s] of model) if (t.last[s] + 50 <= ts + 1 && ts % 97 === 0) model.delete(k);
      if (ts % 97 === 0) t.expire(ts + 1);
    }
    expect(t.count).toBe([...t.slots()].length);
  });
});
