/**
 * UDP overload: a sender blasts datagrams while the receiving process cannot read
 * (its event loop is held by a synchronous child-process call), so the kernel socket
 * buffer overflows. Every datagram sent must be accounted for afterwards: read by us
 * (decoded or dropped from our own queue) or dropped by the kernel and counted from
 * /proc/net/udp — sent = received + counted drops.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowDecoder } from '../../src/flow-export';
import { FlowUdpReceiver, SyslogUdpReceiver, type Receiver } from '../../src/logs';
import { waitFor } from './peer-helpers';

const NETFLOW5 = join(__dirname, '../../../../shared/testdata/netflow/logstash-codec-netflow/spec/codecs/netflow5.dat');

/** Sends `count` copies of a payload file from a separate process, as fast as it can. */
function blast(port: number, payloadFile: string | null, count: number): number {
  const script = `
    const dgram = require('node:dgram');
    const fs = require('node:fs');
    const s = dgram.createSocket('udp4');
    const [port, file, count] = process.argv.slice(1);
    const payload = file ? fs.readFileSync(file) : Buffer.from('<134>1 2026-01-01T00:00:00Z host app - - - overload');
    let sent = 0, inFlight = 0;
    function pump() {
      while (sent < +count && inFlight < 256) {
        inFlight++; sent++;
        s.send(payload, +port, '127.0.0.1', (err) => { if (err) failed++; inFlight--; sent === +count && inFlight === 0 ? done() : pump(); });
      }
    }
    let failed = 0;
    function done() { process.stdout.write(String(sent - failed)); s.close(); }
    pump();`;
  const out = execFileSync(process.execPath, ['-e', script, String(port), payloadFile ?? '', String(count)], {
    encoding: 'utf8',
    timeout: 60000,
  });
  return Number(out);
}

async function overload(rx: Receiver, payloadFile: string | null, datagrams: () => number) {
  const port = await rx.start();
  try {
    // While execFileSync runs, this process reads nothing: the socket buffer fills and overflows.
    const sent = blast(port, payloadFile, 40000);
    expect(sent).toBe(40000);
    let c = rx.counters();
    await waitFor(
      () => {
        c = rx.counters();
        return datagrams() + c.kernel_drops >= sent;
      },
      20000,
      'every datagram read or counted as dropped',
    );
    c = rx.counters();
    expect(c.kernel_drops).toBeGreaterThan(0);
    expect(datagrams() + c.kernel_drops).toBe(sent);
    return c;
  } finally {
    await rx.stop();
  }
}

describe('UDP overload', () => {
  it('flow receiver: sent = read + kernel drops, and what was read is decoded or counted', async () => {
    const decoder = new FlowDecoder();
    let events = 0;
    const rx = new FlowUdpReceiver({
      name: 'netflow',
      host: '127.0.0.1',
      port: 0,
      maxPending: 1 << 20,
      decoder,
      emit: async (ev) => void (events += ev.length),
    });
    const c = await overload(rx, NETFLOW5, () => rx.counters().datagrams);
    expect(c.dropped + decoder.counters.packets).toBe(c.datagrams);
    const perDatagram = new FlowDecoder().decode(readFileSync(NETFLOW5), '127.0.0.1').length;
    expect(c.events).toBe(decoder.counters.packets * perDatagram);
    void events;
  }, 90000);

  it('syslog receiver: sent = read + kernel drops', async () => {
    let events = 0;
    const rx = new SyslogUdpReceiver({
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 8192,
      maxPending: 1 << 20,
      toEvent: (line, sender, at) => ({ '@timestamp': new Date(at).toISOString(), message: line, sender }) as never,
      emit: async (ev) => void (events += ev.length),
    });
    const c = await overload(rx, null, () => rx.counters().received);
    // Read datagrams either became events or were dropped from our queue (counted).
    await waitFor(() => events + rx.counters().dropped === c.received, 10000, 'events flushed');
    console.log(`syslog UDP overload: ${JSON.stringify(rx.counters())}`);
  }, 90000);
});
