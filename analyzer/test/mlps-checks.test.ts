/**
 * The evidence checks on a real store (embedded, and OpenSearch when the test node is there):
 * statuses from stored events and alerts, `na` with a reason when a data source is absent, and
 * the sources used when present.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, storeConfigSchema, type EcsEvent, type EventStore } from '@edusentry/core';
import { requires } from '@edusentry/core/testing';
import { evidenceSources, EVIDENCE_CHECKS, runEvidenceChecks, type EvidenceContext, type EvidenceResult } from '../src';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
let n = 0;
const ev = (ms: number, dataset: string, extra: Record<string, unknown> = {}) =>
  ({
    '@timestamp': iso(ms),
    event: { id: `chk-${++n}`, kind: dataset === 'alert' ? 'alert' : 'event', dataset },
    organization: { id: 'school-1' },
    ...extra,
  }) as EcsEvent;
const alert = (ms: number, status: string, updatedMs?: number) =>
  ev(ms, 'alert', {
    rule: { id: 'r', name: 'r' },
    event: { id: `chk-a${++n}`, kind: 'alert', dataset: 'alert', severity: 73 },
    edu: { alert: { status, events: [], ...(updatedMs ? { updated_at: iso(updatedMs) } : {}) } },
  });

async function fill(store: EventStore) {
  const w = await store.write([
    ev(NOW - 5 * H, 'network.flow', { source: { ip: '10.0.0.1' }, destination: { ip: '10.0.0.2', port: 80 } }),
    ev(NOW - 4 * H, 'syslog', { message: 'x' }),
    alert(NOW - 30 * H, 'acknowledged', NOW - 29 * H), // triaged in 1 h
    alert(NOW - 30 * H, 'new'), // 30 h untriaged: late
    alert(NOW - 1 * H, 'new'), // still inside its SLA
    ev(NOW - 2 * H, 'site.check', { url: { full: 'https://www.school.example/' } }),
    ev(NOW - 72 * H, 'site.check', { url: { full: 'https://old.school.example/' } }),
  ]);
  expect(w.failed).toBe(0);
  await (store as unknown as { refresh?: () => Promise<void> }).refresh?.();
}

const byId = (rs: EvidenceResult[]) => Object.fromEntries(rs.map((r) => [r.check, r]));

function suite(name: string, open: () => Promise<EventStore>, cleanup?: () => Promise<void>) {
  describe(name, () => {
    jest.setTimeout(120_000);
    let store: EventStore;
    beforeAll(async () => {
      store = await open();
      await store.init({ retentionDays: 180 });
      await fill(store);
    });
    afterAll(async () => {
      await store.close();
      await cleanup?.();
    });
    const ctx = (providers: EvidenceContext['providers'] = {}): EvidenceContext => ({
      store,
      orgIds: ['school-1'],
      fromMs: NOW - 90 * 24 * H,
      toMs: NOW,
      providers,
      slaHours: 24,
    });

    it('computes statuses from the store, and says na with a reason for absent sources', async () => {
      const r = byId(await runEvidenceChecks(ctx(), NOW));
      expect(Object.keys(r).sort()).toEqual(EVIDENCE_CHECKS.map((c) => c.id).sort());
      for (const x of Object.values(r)) expect(x.computedAt).toBe(iso(NOW));
      expect(r['check.retention']).toMatchObject({ status: 'pass', evidence: { retentionDays: 180 } });
      expect(['ism', 'ilm', 'prune-job']).toContain(r['check.retention'].evidence.mechanism);
      expect(r['check.log-source-coverage'].status).toBe('pass');
      expect(r['check.alert-triage-sla']).toMatchObject({
        status: 'fail', // 2 of 3 on time: under the 80 % of partial
        evidence: { examined: 3, onTime: 2, late: 1 },
      });
      expect(r['check.key-site-coverage']).toMatchObject({ status: 'fail', evidence: { sites: 2, checkedLastDay: 1 } });
      for (const id of [
        'check.accounts',
        'check.audit-integrity',
        'check.notices-on-time',
        'check.drills',
        'check.backups',
      ]) {
        expect(r[id].status).toBe('na');
        expect(r[id].summary.length).toBeGreaterThan(4);
      }
    });

    it('uses the sources when present', async () => {
      const r = byId(
        await runEvidenceChecks(
          ctx({
            accounts: async () => ({
              accounts: [
                { username: 'a', role: 'sys_admin' },
                { username: 'b', role: 'sec_admin' },
                { username: 'a', role: 'audit_admin' },
              ],
              lockoutAttempts: 5,
              idleTimeoutMin: 30,
            }),
            auditVerification: async () => ({ ok: true, entries: 12, anchor: 'sha256:abc' }),
            notices: async () => [
              { id: 'n1', dueAt: iso(NOW - 10 * H), closedAt: iso(NOW - 11 * H) },
              { id: 'n2', dueAt: iso(NOW - 10 * H) },
            ],
            drills: async () => ({ held: [iso(NOW - 40 * 24 * H)], plansReviewedAt: iso(NOW - 100 * 24 * H) }),
            backups: async () => ({ takenAt: [iso(NOW - 24 * H)] }),
          }),
          NOW,
        ),
      );
      expect(r['check.accounts']).toMatchObject({ status: 'fail', evidence: { sharedHolders: ['a'] } });
      const distinct = await runEvidenceChecks(
        ctx({
          accounts: async () => ({
            accounts: [
              { username: 'a', role: 'sys_admin' },
              { username: 'b', role: 'sec_admin' },
              { username: 'c', role: 'audit_admin' },
            ],
            lockoutAttempts: 5,
            idleTimeoutMin: 30,
          }),
        }),
        NOW,
      );
      expect(byId(distinct)['check.accounts'].status).toBe('pass');
      expect(r['check.audit-integrity']).toMatchObject({ status: 'pass', evidence: { anchor: 'sha256:abc' } });
      expect(r['check.notices-on-time']).toMatchObject({ status: 'fail', evidence: { notices: 2, late: 1 } });
      expect(r['check.drills'].status).toBe('pass');
      expect(r['check.backups'].status).toBe('partial');
    });

    it('a retention below six months fails, as the engine reports it', async () => {
      await store.init({ retentionDays: 30 });
      const r = byId(await runEvidenceChecks(ctx(), NOW));
      expect(r['check.retention']).toMatchObject({ status: 'fail', evidence: { retentionDays: 30 } });
      await store.init({ retentionDays: 180 });
    });
  });
}

it('every evidence check is a catalogue evidence source, and every check.* source has a check', () => {
  const sources = Object.keys(evidenceSources()).filter((s) => s.startsWith('check.'));
  expect(EVIDENCE_CHECKS.map((c) => c.id).sort()).toEqual(sources.sort());
});

suite('evidence checks on the embedded store', async () =>
  openStore(storeConfigSchema.parse({}), mkdtempSync(join(tmpdir(), 'mlps-checks-'))),
);

const URL_ = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
const prefix = `mlpschk${process.pid}`;
requires(URL_ ? undefined : 'EDUSENTRY_TEST_OPENSEARCH_URL is not set').describe('on OpenSearch', () => {
  suite(
    'evidence checks on OpenSearch',
    async () =>
      openStore(
        storeConfigSchema.parse({ kind: 'elasticsearch', url: URL_ ?? 'http://127.0.0.1:9201', indexPrefix: prefix }),
        '/tmp',
      ),
    async () => {
      await fetch(`${URL_}/${prefix}-*`, { method: 'DELETE' });
    },
  );
});
