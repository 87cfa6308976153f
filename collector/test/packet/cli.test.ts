import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SV } from './helpers';

const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

function edusentry(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(TSX, [join(ROOT, 'cli/src/main.ts'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('edusentry collect pcap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edu-cli-'));

  test('--ndjson: one ECS event per line, tagged with the configured organisation and observer; summary on stderr', () => {
    const cfg = join(dir, 'cfg.yaml');
    writeFileSync(
      cfg,
      'organization: { id: school-42, name: 第四十二中学 }\nobserver: { id: exit-1 }\ncollector: { packet: { communityIdSeed: 7 } }\n',
    );
    const r = edusentry(['collect', 'pcap', `${SV}/community-id-ipv4/input.pcap`, '--ndjson', '--config', cfg]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.event.dataset).sort()).toEqual(['network.flow', 'network.tls']);
    for (const e of events) {
      expect(e.organization).toEqual({ id: 'school-42', name: '第四十二中学' });
      expect(e.observer.id).toBe('exit-1');
      expect(e.network.community_id).toBe('1:IwiTNfuO7aCaamMijl+7/X9uLx0=');
      expect(e.event.id).toMatch(/^[A-Za-z0-9_-]{27}$/);
    }
    expect(r.stderr).toMatch(/packets: +43/);
    expect(r.stderr).toMatch(/flows: +1/);
    expect(r.stderr).toMatch(/events: +2/);
    // Deterministic ids: a second read gives the same ids.
    const again = edusentry(['collect', 'pcap', `${SV}/community-id-ipv4/input.pcap`, '--config', cfg]);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).event.id),
    ).toEqual(events.map((e) => e.event.id));
  });

  test('a capture damaged partway is read up to the damage and exits 0; a non-capture exits 1 with one line', () => {
    const full = readFileSync(`${SV}/community-id-ipv4/input.pcap`);
    const damaged = join(dir, 'damaged.pcap');
    writeFileSync(damaged, Buffer.concat([full.subarray(0, 2000), Buffer.alloc(100, 0xee)]));
    const r = edusentry(['collect', 'pcap', damaged, '--log-level', 'silent']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/capture_error\.(corrupt|truncated)_record=1/);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(0);
    const text = join(dir, 'readme.txt');
    writeFileSync(text, 'hello, not a capture\n');
    const bad = edusentry(['collect', 'pcap', text]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/not a pcap or pcapng capture.*\[EDU_ERR_INPUT\]/);
  });

  test('--store writes the events to the embedded store', () => {
    const data = join(dir, 'data');
    const r = edusentry(['collect', 'pcap', `${SV}/bug-2646-01/input.pcap`, '--data-dir', data, '--store']);
    expect(r.code).toBe(0);
    const q = edusentry(['store', 'query', '--data-dir', data, '--dataset', 'network.tls']);
    expect(q.code).toBe(0);
    const hits = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(hits.some((h) => h.tls?.client?.server_name === 'raw.githubusercontent.com')).toBe(true);
  });
});
