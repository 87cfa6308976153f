/**
 * Fidelity against suricata-verify: prints the share of applicable eve checks our
 * events satisfy and every miss, and holds the floor we reached.
 */
import { runFidelity } from './sv-fidelity';

/** Misses we understand; printed with the reason. */
const KNOWN: Record<string, string> = {
  'community-id-sameip':
    'Suricata orders same-address tuples differently from the Community ID spec; we and tshark follow the spec (1:/fs1dnZVOcwRFuCNa7X/rVrpT20=)',
  'bug-6402-01': 'Suricata also reports the outer Geneve UDP flow; we report the innermost flow only',
  'eve-flow-vlan-02': 'three stacked VLAN tags: ECS carries two (network.vlan, network.inner.vlan)',
  'bug-5162': 'one more flow than Suricata (we keep a flow for an IGMP/multicast exchange Suricata does not log)',
  'dcerpc-smb-fail': 'same capture as bug-5162',
};

const FLOOR = 0.955;

test('suricata-verify eve checks on flow/dns/http/tls/ssh are satisfied by our ECS events', async () => {
  const r = await runFidelity();
  const ok = r.applicable.filter((c) => c.ok).length;
  const share = ok / r.applicable.length;
  const misses = r.applicable.filter((c) => !c.ok);
  const lines = [
    `suricata-verify fidelity: ${ok}/${r.applicable.length} applicable checks satisfied = ${(share * 100).toFixed(1)}% (${r.tests} captures; ${r.notApplicable.length} checks/tests not applicable)`,
    ...misses.map(
      (c) =>
        `  miss ${c.test} [${c.type}] expected ${c.expected} got ${c.got} ${JSON.stringify(c.match)} — ${KNOWN[c.test] ?? 'unexplained'}`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  expect(r.applicable.length).toBeGreaterThan(100);
  expect(share).toBeGreaterThanOrEqual(FLOOR);
}, 300_000);
