/**
 * A real exporter on loopback: Debian softflowd reads a capture and exports NetFlow
 * v5, v9 and IPFIX to our flow receiver. Our counts must agree with softflowd's own
 * statistics (datagrams, records, flows) and with the packet path (#3) reading the
 * same capture.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EcsEvent } from '@edusentry/core';
import { FlowDecoder } from '../../src/flow-export';
import { FlowUdpReceiver } from '../../src/logs';
import { byDataset, readEvents } from '../packet/helpers';
import { missingCommands, requires } from '@edusentry/core/testing';
import { runToExit, waitFor } from './peer-helpers';

const CAPTURE = join(__dirname, '../../../../shared/testdata/pcap/suricata-verify/tests/base64-decode-5885/input.pcap');

interface SoftflowdStats {
  packets: number;
  flows: number;
  records: number;
  datagrams: number;
  byProto: Record<string, number>;
}

/** softflowd's summary at exit: "Flows exported: 66 (92 records) in 4 packets (0 failures)". */
function parseStats(out: string): SoftflowdStats {
  const m = out.match(/Flows exported: (\d+) \((\d+) records\) in (\d+) packets \((\d+) failures\)/);
  if (!m) throw new Error(`no export statistics in softflowd's output:\n${out}`);
  if (m[4] !== '0') throw new Error(`softflowd reported ${m[4]} export failures`);
  const byProto: Record<string, number> = {};
  for (const p of out.matchAll(/^\s+\S+ \((\d+)\):\s+\d+\s+(\d+)/gm)) byProto[p[1]] = Number(p[2]);
  return {
    packets: Number(out.match(/Packets processed: (\d+)/)![1]),
    flows: Number(m[1]),
    records: Number(m[2]),
    datagrams: Number(m[3]),
    byProto,
  };
}

/** Bidirectional flow key: the same for both directions of a conversation. */
function conversation(e: EcsEvent): string {
  // Exporters write port 0 for protocols without ports (IGMP, ICMP); the packet path leaves them out.
  const ports = ['6', '17', '132'].includes(String(e.network?.iana_number));
  const a = `${e.source?.ip}|${ports ? e.source?.port : ''}`;
  const b = `${e.destination?.ip}|${ports ? e.destination?.port : ''}`;
  return `${e.network?.iana_number}:${[a, b].sort().join('>')}`;
}

/** Flows the packet path finds in the capture. */
async function packetPathFlows(ipv6: boolean): Promise<EcsEvent[]> {
  const { events } = await readEvents(CAPTURE);
  return byDataset(events, 'network.flow').filter((e) => ipv6 || !String(e.source?.ip ?? '').includes(':'));
}

requires(missingCommands('softflowd')).describe('softflowd → our flow receiver', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'edu-softflowd-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { version: '5', name: 'netflow' as const, ipv6: false },
    { version: '9', name: 'netflow' as const, ipv6: true },
    { version: '10', name: 'ipfix' as const, ipv6: true },
  ])(
    'NetFlow v$version: counts agree with softflowd and with the packet path',
    async ({ version, name, ipv6 }) => {
      const events: EcsEvent[] = [];
      const decoder = new FlowDecoder();
      const rx = new FlowUdpReceiver({
        name,
        host: '127.0.0.1',
        port: 0,
        maxPending: 100000,
        decoder,
        organization: { id: 'school-1' },
        observer: { id: 'collector-1' },
        emit: async (ev) => void events.push(...ev),
      });
      const port = await rx.start();
      try {
        // -d: foreground; -r: read the capture and exit at its end, flushing every flow;
        // -c none: no control socket. softflowd 1.1.0 reading a file tests an uninitialised
        // poll result for its control socket and then blocks in accept() on some stacks.
        const args = ['-d', '-r', CAPTURE, '-n', `127.0.0.1:${port}`, '-v', version, '-c', 'none'];
        args.push('-p', join(dir, `pid-${version}`));
        if (ipv6) args.push('-6');
        const { output, code } = await runToExit(
          spawn('softflowd', args, { stdio: ['ignore', 'pipe', 'pipe'] }),
          30000,
        );
        expect(code).toBe(0);
        const sf = parseStats(output);
        await waitFor(() => decoder.counters.packets >= sf.datagrams, 10000);
        await rx.stop();
        const c = rx.counters();
        expect(c.datagrams).toBe(sf.datagrams);
        expect(c.decode_invalid).toBe(0);
        expect(c.dropped).toBe(0);
        // Every record softflowd sent is one flow event; a conversation is one or two records
        // (softflowd exports each direction that carried packets as its own record).
        expect(events.length).toBe(sf.records);
        const conversations = new Set(events.map(conversation));
        // softflowd's "flows" are conversations for v9/IPFIX, but for v5 (one direction per
        // record, no flow concept beyond it) it counts each exported record as a flow.
        expect(version === '5' ? events.length : conversations.size).toBe(sf.flows);
        const packetsByProto: Record<string, number> = {};
        for (const e of events)
          packetsByProto[String(e.network?.iana_number)] =
            (packetsByProto[String(e.network?.iana_number)] ?? 0) + Number(e.network?.packets ?? 0);
        expect(packetsByProto).toEqual(sf.byProto);

        // The packet path on the same capture: the same conversations and packet totals.
        const ours = await packetPathFlows(ipv6);
        const ourConversations = new Set(ours.map(conversation));
        expect([...ourConversations].sort()).toEqual([...conversations].sort());
        const ourPackets = ours.reduce((n, e) => n + Number(e.network?.packets ?? 0), 0);
        expect(ourPackets).toBe(Object.values(sf.byProto).reduce((a, b) => a + b, 0));
        console.log(
          `softflowd -v ${version}: ${sf.datagrams} datagrams, ${sf.records} records, ${sf.flows} flows; ` +
            `received ${c.datagrams} datagrams, ${events.length} flow events, ${conversations.size} conversations; ` +
            `packet path ${ourConversations.size} conversations, ${ourPackets} packets`,
        );
      } finally {
        await rx.stop().catch(() => undefined);
      }
    },
    60000,
  );
});
