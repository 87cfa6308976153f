/** Retro-hunt: conversion to Lucene and DSL, and `hunt` over the embedded store's history. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, storeConfigSchema, type AlertEvent, type EcsEvent } from '@edusentry/core';
import { convertRule, ConversionError, hunt } from '../src';
import { ruleSet } from './helpers';

const RULE = `title: Admin probe
id: 55555555-0000-4000-8000-000000000001
logsource: { product: test }
detection:
  sel:
    url.path|startswith: '/admin'
    http.request.method: [GET, POST]
  filter:
    source.ip|cidr: 10.0.0.0/8
  condition: sel and not filter
level: high
`;

describe('convert', () => {
  const [rule] = ruleSet(RULE).rules;
  it('Lucene: fields, wildcards with escaping, CIDR, negation', () => {
    expect(convertRule(rule, 'lucene')).toBe(
      '(event.dataset:syslog AND ((url.path:\\/admin* AND (http.request.method:GET OR http.request.method:POST)) AND (NOT source.ip:10.0.0.0\\/8)))',
    );
  });
  it('DSL: case-insensitive wildcard and term queries, CIDR as a term on the ip field', () => {
    const q = JSON.stringify(convertRule(rule, 'dsl'));
    expect(q).toContain('{"wildcard":{"url.path":{"value":"/admin*","case_insensitive":true}}}');
    expect(q).toContain('{"term":{"http.request.method":{"value":"GET","case_insensitive":true}}}');
    expect(q).toContain('{"bool":{"must_not":[{"term":{"source.ip":"10.0.0.0/8"}}]}}');
  });
  it('fieldref cannot be converted and says why', () => {
    const [r] = ruleSet(
      `title: f\nlogsource: { product: test }\ndetection:\n  sel: { a|fieldref: b }\n  condition: sel\n`,
    ).rules;
    expect(() => convertRule(r, 'lucene')).toThrow(ConversionError);
  });
});

describe('hunt on the embedded store', () => {
  it('evaluates the stored events of the time range and raises the alerts the live analyzer would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hunt-'));
    const store = await openStore(storeConfigSchema.parse({}), dir);
    await store.init();
    const ev = (id: string, t: string, path: string, ip: string): EcsEvent =>
      ({
        '@timestamp': t,
        event: { id, kind: 'event', dataset: 'syslog' },
        url: { path },
        http: { request: { method: 'GET' } },
        source: { ip },
      }) as EcsEvent;
    await store.write([
      ev('h1', '2026-02-01T00:00:00Z', '/admin/x', '198.51.100.1'),
      ev('h2', '2026-02-02T00:00:00Z', '/admin/y', '10.1.1.1'),
      ev('h3', '2026-02-03T00:00:00Z', '/index', '198.51.100.1'),
      ev('h4', '2026-03-01T00:00:00Z', '/admin/z', '198.51.100.1'),
    ]);
    const alerts: AlertEvent[] = [];
    const res = await hunt({
      store,
      storeConfig: storeConfigSchema.parse({}),
      set: ruleSet(RULE),
      fromMs: Date.parse('2026-02-01T00:00:00Z'),
      toMs: Date.parse('2026-02-28T00:00:00Z'),
      placeholders: {},
      onAlert: (a) => alerts.push(a),
      pageSize: 2,
    });
    expect(res.scanned).toBe(3);
    expect(alerts.map((a) => a.edu.alert.events[0])).toEqual(['h1']);
    await store.close();
  });
});
