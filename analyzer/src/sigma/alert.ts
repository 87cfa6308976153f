/**
 * Alerts as ECS documents: the rule's identity, author and licence (the Detection Rule
 * License requires attribution on derived output), ATT&CK from its tags, severity from its
 * level, and the events that triggered it. Ids are deterministic: rule + event for single
 * events, rule + group + first event of the window for correlations, so a replay writes the
 * same alert again instead of a new one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventId, type AlertEvent } from '@edusentry/core';
import type { RuleMeta, SigmaDocument } from './types';

/** ECS event.severity (0-100) for each Sigma level. */
export const SEVERITY: Record<string, number> = { informational: 10, low: 21, medium: 47, high: 73, critical: 99 };

const licenceCache = new Map<string, string | undefined>();

/** A rule's licence: its own `license`, else the licence file of the folder tree it came from. */
export function ruleLicense(doc: SigmaDocument): string | undefined {
  if (doc.meta.license) return doc.meta.license;
  let dir = dirname(doc.source.file);
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (licenceCache.has(dir)) {
      const v = licenceCache.get(dir);
      seen.forEach((d) => licenceCache.set(d, v));
      return v;
    }
    seen.push(dir);
    const f = join(dir, 'LICENSE');
    if (existsSync(f)) {
      const text = readFileSync(f, 'utf8').slice(0, 2000);
      const v = /Detection Rule License/i.test(text) ? 'DRL-1.1' : text.split('\n')[0].trim() || undefined;
      seen.forEach((d) => licenceCache.set(d, v));
      return v;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  seen.forEach((d) => licenceCache.set(d, undefined));
  return undefined;
}

const TACTICS: Record<string, string> = {
  reconnaissance: 'TA0043',
  'resource-development': 'TA0042',
  'initial-access': 'TA0001',
  execution: 'TA0002',
  persistence: 'TA0003',
  'privilege-escalation': 'TA0004',
  'defense-evasion': 'TA0005',
  'credential-access': 'TA0006',
  discovery: 'TA0007',
  'lateral-movement': 'TA0008',
  collection: 'TA0009',
  'command-and-control': 'TA0011',
  exfiltration: 'TA0010',
  impact: 'TA0040',
};

export function threatOf(meta: RuleMeta): AlertEvent['threat'] | undefined {
  const tactics: string[] = [];
  const techniques: string[] = [];
  for (const tag of meta.tags) {
    const m = /^attack\.(.+)$/i.exec(tag);
    if (!m) continue;
    const v = m[1].toLowerCase().replace(/_/g, '-');
    if (/^t\d{4}(\.\d{3})?$/.test(v)) techniques.push(v.toUpperCase());
    else if (TACTICS[v]) tactics.push(v);
  }
  if (!tactics.length && !techniques.length) return undefined;
  return {
    framework: 'MITRE ATT&CK',
    tactic: tactics.length ? { id: tactics.map((t) => TACTICS[t]), name: tactics } : undefined,
    technique: techniques.length ? { id: techniques } : undefined,
  };
}

export interface AlertInput {
  doc: SigmaDocument;
  ruleKey: string;
  /** Triggering events (nested ECS documents). */
  events: Record<string, unknown>[];
  eventIds: string[];
  firstMs: number;
  lastMs: number;
  group?: Record<string, string>;
  /** Extra identity for the alert id (correlation group + window). */
  idParts?: unknown;
  count?: number;
}

export function buildAlert(a: AlertInput): AlertEvent {
  const { meta } = a.doc;
  const first = a.events[0] ?? {};
  const id = eventId(`sigma:${a.ruleKey}`, a.idParts ?? a.eventIds);
  const org = first.organization as AlertEvent['organization'];
  const userName = (first.user as { name?: string } | undefined)?.name;
  const alert: AlertEvent = {
    '@timestamp': new Date(a.lastMs).toISOString(),
    event: {
      id,
      kind: 'alert',
      dataset: 'alert',
      module: 'sigma',
      severity: SEVERITY[meta.level ?? 'medium'] ?? 47,
      start: new Date(a.firstMs).toISOString(),
      end: new Date(a.lastMs).toISOString(),
      reason: meta.title,
    },
    rule: {
      id: meta.id ?? a.ruleKey,
      name: meta.title,
      description: meta.description,
      author: meta.author,
      reference: meta.references.length ? meta.references : undefined,
      license: ruleLicense(a.doc),
      ruleset: a.doc.kind === 'correlation' ? 'sigma-correlation' : 'sigma',
      level: meta.level,
    },
    edu: {
      alert: {
        status: 'new',
        events: a.eventIds,
        count: a.count ?? a.eventIds.length,
        group: a.group,
        first_seen: new Date(a.firstMs).toISOString(),
        last_seen: new Date(a.lastMs).toISOString(),
      },
    },
  };
  const threat = threatOf(meta);
  if (threat) alert.threat = threat;
  if (org) alert.organization = org;
  if (userName) alert.user = { name: userName };
  // A drill's events make a drill's alert (edu.drill, tags: [drill]), so posture and statistics
  // can leave it out; one drill event among real ones is enough: drill data never counts as real.
  const drill = a.events.map((e) => (e.edu as { drill?: { id?: unknown } } | undefined)?.drill).find((d) => d?.id);
  if (drill) {
    alert.edu.drill = drill;
    alert.tags = ['drill'];
  }
  for (const k of ['source', 'destination', 'observer'] as const) {
    const v = first[k] as Record<string, unknown> | undefined;
    if (v && a.events.length === 1) (alert as unknown as Record<string, unknown>)[k] = v;
  }
  // A correlation names the ends all its events share (the guesser's source.ip, the attacked
  // server), so triage, posture and attribution see them; the group-by values are set after this.
  if (a.events.length > 1)
    for (const k of ['source', 'destination'] as const) {
      const shared = sharedEnd(a.events, k);
      if (shared) alert[k] = shared;
    }
  return alert;
}

/** The address (and port, when it is one too) that every event has at `end`, if there is one. */
function sharedEnd(events: Record<string, unknown>[], end: 'source' | 'destination'): AlertEvent['source'] {
  const ends = events.map((e) => e[end] as { ip?: unknown; port?: unknown } | undefined);
  const ip = ends[0]?.ip;
  if (typeof ip !== 'string' || !ends.every((x) => x?.ip === ip)) return undefined;
  const port = ends[0]?.port;
  return typeof port === 'number' && ends.every((x) => x?.port === port) ? { ip, port } : { ip };
}
