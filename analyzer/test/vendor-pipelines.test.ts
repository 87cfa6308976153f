/**
 * Vendor pipelines (rules/pipelines/35-vendor-firewalls.yml): SigmaHQ rules written for a
 * product log source (`product: cisco`, `product: fortigate`, …) and for the firewall category
 * fire on lines the collector's device parsers turn into events, and only on that device's
 * events. Lines are parsed by the real parser (lineToEvent), as `collect` does.
 */
import { join } from 'node:path';
import { lineToEvent } from '@edusentry/collector';
import { analyzerConfigSchema, openRuleSet, sigmaDir } from '../src';

const SIGMAHQ = join(__dirname, '../../../shared/testdata/sigma/rules/network');
const parsed = (line: string) =>
  lineToEvent(line, '10.0.0.1', Date.UTC(2026, 0, 1), { plain: true }) as unknown as Record<string, unknown>;

describe('vendor pipelines', () => {
  const set = openRuleSet(analyzerConfigSchema.parse({}), [
    join(SIGMAHQ, 'cisco/aaa'),
    join(SIGMAHQ, 'cisco/bgp'),
    join(SIGMAHQ, 'fortinet/fortigate'),
    join(SIGMAHQ, 'huawei'),
    join(sigmaDir, 'sigmahq/rules/network/firewall'),
  ]);
  const titles = (line: string) => set.match(parsed(line)).map((r) => r.rule.meta.title);

  it('gives every Cisco, FortiGate and Huawei network rule a pipeline', () => {
    expect(set.inactive.map((i) => `${i.title}: ${i.reason}`)).toEqual([]);
    expect(set.rules.length).toBeGreaterThanOrEqual(20);
  });

  it('fires a SigmaHQ Cisco AAA rule on an ASA command-accounting line, and only on Cisco events', () => {
    const asa = "%ASA-5-111008: User 'admin' executed the 'clear logging' command.";
    expect(parsed(asa)).toMatchObject({ event: { module: 'cisco-asa' }, observer: { vendor: 'Cisco' } });
    expect(titles(asa)).toContain('Cisco Clear Logs');
    // the same words from a host no parser knows, or inside a FortiGate log, are not Cisco events
    expect(titles("sudo: admin : COMMAND=/usr/bin/logger 'clear logging'")).toEqual([]);
    expect(
      titles(
        'date=2026-01-01 time=10:00:00 devname="FGT1" logid="0100032001" type="event" subtype="system" level="information" action="login" msg="clear logging"',
      ),
    ).toEqual([]);
  });

  it('fires the SigmaHQ firewall cleartext-protocol rule on a FortiGate line that accepted telnet, not on a denied one', () => {
    const line = (action: string) =>
      `date=2026-01-01 time=10:00:00 devname="FGT-campus" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=203.0.113.7 srcport=40001 srcintf="wan1" dstip=10.60.0.20 dstport=23 dstintf="lan" proto=6 action="${action}" policyid=9 service="TELNET"`;
    expect(parsed(line('accept'))).toMatchObject({ event: { module: 'fortigate', action: 'accept' } });
    expect(titles(line('accept'))).toContain('Cleartext Protocol Usage');
    expect(titles(line('deny'))).not.toContain('Cleartext Protocol Usage');
  });

  it('fires a SigmaHQ FortiGate config-change rule on the parsed FortiOS event log line, not on another change', () => {
    const line = (cfgpath: string) =>
      `date=2026-01-01 time=10:00:00 devname="FGT1" logid="0100044547" type="event" subtype="system" level="information" user="admin" action="Add" cfgpath="${cfgpath}" cfgobj="mallory" msg="Add ${cfgpath} mallory"`;
    expect(parsed(line('user.local'))).toMatchObject({
      event: { module: 'fortigate', action: 'Add' },
      fortinet: { firewall: { cfgpath: 'user.local', cfgobj: 'mallory' } },
    });
    expect(titles(line('user.local'))).toContain('FortiGate - New Local User Created');
    expect(titles(line('firewall.address'))).not.toContain('FortiGate - New Local User Created');
  });
});
