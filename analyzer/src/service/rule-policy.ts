/**
 * The rule policy: what the security administrator decided about the rules of this
 * installation (a rule switched off, its severity changed, exceptions, uploaded rule files),
 * and how it travels from the console to a running analyzer.
 *
 * One folder, by default `rule-policy/` in the data directory, which console and analyzer share:
 *   policy.json    the console writes it (a temporary file renamed over the old one, so a reader
 *                  sees the old or the new document, never half of one); `version` grows by one
 *                  with every change
 *   uploaded/*.yml uploaded Sigma files, written before the policy that lists them
 *   applied.json   the analyzer writes it whenever it (re)loads: the rules it runs and the policy
 *                  version in force, which is what the console lists
 * The analyzer looks at policy.json's stat before every batch (one stat call) and applies a new
 * version at once, without a restart.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@edusentry/core';
import type { RuleSet } from '../sigma/match/ruleset';
import type { RuleProblem } from '../sigma/types';

export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];

/** This installation's decision about one rule (absent: as the rule says). */
export interface RuleOverride {
  enabled?: boolean;
  level?: SigmaLevel;
}

/** Suppresses one rule's alerts that match every condition given, until it expires. */
export interface RuleException {
  id: string;
  ruleId: string;
  /** Source address or CIDR block. */
  source?: string;
  destination?: string;
  /** Sigma wildcard pattern (`*`, `?`), case-insensitive, against url.full / original / path / domain. */
  url?: string;
  /** The organisation named, and (orgIds) it with its subtree as the console resolved it. */
  orgId?: string;
  orgIds?: string[];
  expiresAt: string;
  reason: string;
  createdBy: string;
  createdAt: string;
}

export interface UploadedRuleFile {
  /** The first rule id of the file: a re-upload of the same rules replaces it. */
  id: string;
  /** Relative to the policy folder. */
  file: string;
  sha256: string;
  ruleIds: string[];
  titles: string[];
  uploadedBy: string;
  uploadedAt: string;
}

export interface RulePolicyDoc {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  rules: Record<string, RuleOverride>;
  exceptions: RuleException[];
  uploaded: UploadedRuleFile[];
}

export interface CatalogueRule {
  id: string;
  title: string;
  kind: 'rule' | 'correlation';
  level?: string;
  /** The rule's own Sigma status (stable, test, experimental, ...). */
  status?: string;
  description?: string;
  file: string;
  uploaded: boolean;
  state: 'active' | 'inactive';
  /** Why an inactive rule does not run. */
  reason?: string;
  datasets: string[];
}

/** What a running analyzer loaded, and which policy version it applies. */
export interface RuleCatalogue {
  policyVersion: number;
  appliedAt: string;
  rules: CatalogueRule[];
  rejected: RuleProblem[];
  /** Alerts the policy dropped since `dropsSince` (the analyzer's start), by exception and by switched-off rule. */
  drops?: { exceptions: Record<string, number>; rules: Record<string, number> };
  dropsSince?: string;
}

export const EMPTY_POLICY: RulePolicyDoc = {
  version: 0,
  updatedAt: null,
  updatedBy: null,
  rules: {},
  exceptions: [],
  uploaded: [],
};

export function policyDirOf(dataDir: string): string {
  return join(dataDir, 'rule-policy');
}

const policyFile = (dir: string) => join(dir, 'policy.json');
const catalogueFile = (dir: string) => join(dir, 'applied.json');

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The policy document; EMPTY_POLICY when there is none yet. Throws on a corrupt file. */
export function readPolicy(dir: string): RulePolicyDoc {
  let text: string;
  try {
    text = readFileSync(policyFile(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_POLICY;
    throw e;
  }
  const doc = JSON.parse(text) as Partial<RulePolicyDoc>;
  if (typeof doc.version !== 'number') throw new Error(`${policyFile(dir)}: no version number`);
  return { ...EMPTY_POLICY, ...doc } as RulePolicyDoc;
}

export function writePolicy(dir: string, doc: RulePolicyDoc): void {
  mkdirSync(join(dir, 'uploaded'), { recursive: true });
  writeAtomic(policyFile(dir), JSON.stringify(doc, null, 1));
}

/** Writes an uploaded rule file (before the policy naming it). */
export function writeUploadedFile(dir: string, file: string, text: string): void {
  mkdirSync(join(dir, 'uploaded'), { recursive: true });
  writeAtomic(join(dir, file), text);
}

/** The uploaded files of a policy that exist (one removed behind the console's back is not loaded). */
export function uploadedPaths(dir: string, doc: RulePolicyDoc): string[] {
  return doc.uploaded.map((u) => join(dir, u.file)).filter((f) => existsSync(f));
}

export function readCatalogue(dir: string): RuleCatalogue | undefined {
  try {
    return JSON.parse(readFileSync(catalogueFile(dir), 'utf8')) as RuleCatalogue;
  } catch {
    return undefined;
  }
}

export function writeCatalogue(
  dir: string,
  set: RuleSet,
  policyVersion: number,
  drops?: Pick<RuleCatalogue, 'drops' | 'dropsSince'>,
): void {
  const uploadedDir = resolve(dir, 'uploaded');
  const rules: CatalogueRule[] = [];
  const meta = (m: { title: string; level?: string; status?: string; description?: string }) => ({
    title: m.title,
    level: m.level,
    status: m.status,
    description: m.description,
  });
  for (const r of set.rules)
    rules.push({
      id: r.rule.meta.id ?? r.key,
      ...meta(r.rule.meta),
      kind: 'rule',
      file: r.rule.source.file,
      uploaded: r.rule.source.file.startsWith(uploadedDir),
      state: 'active',
      datasets: r.datasets,
    });
  for (const c of set.correlations)
    rules.push({
      id: c.rule.meta.id ?? c.key,
      ...meta(c.rule.meta),
      kind: 'correlation',
      file: c.rule.source.file,
      uploaded: c.rule.source.file.startsWith(uploadedDir),
      state: 'active',
      datasets: [],
    });
  for (const r of set.inactive)
    rules.push({
      id: r.id ?? `${r.file}#${r.title}`,
      title: r.title,
      kind: 'rule',
      file: r.file,
      uploaded: r.file.startsWith(uploadedDir),
      state: 'inactive',
      reason: r.reason,
      datasets: [],
    });
  const catalogue: RuleCatalogue = {
    policyVersion,
    appliedAt: new Date().toISOString(),
    rules,
    rejected: set.problems,
    ...drops,
  };
  mkdirSync(dir, { recursive: true });
  writeAtomic(catalogueFile(dir), JSON.stringify(catalogue));
}

/**
 * The analyzer's view of policy.json: `poll()` answers a new document when the file changed
 * to a new version, else undefined. A corrupt or unreadable file keeps the policy in force and
 * is logged once (until it changes again).
 */
export class PolicySource {
  private stamp = '';
  private reported = '';
  current: RulePolicyDoc = EMPTY_POLICY;

  constructor(
    readonly dir: string,
    private log: Logger,
  ) {}

  poll(): RulePolicyDoc | undefined {
    let stamp: string;
    try {
      const st = statSync(policyFile(this.dir));
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = 'none';
    }
    if (stamp === this.stamp) return undefined;
    this.stamp = stamp;
    let doc: RulePolicyDoc;
    try {
      doc = readPolicy(this.dir);
    } catch (e) {
      if (this.reported !== stamp)
        this.log.warn(
          { file: policyFile(this.dir), err: (e as Error).message },
          'rule policy unreadable; keeping the policy in force',
        );
      this.reported = stamp;
      return undefined;
    }
    if (doc.version === this.current.version && stamp !== 'none') return undefined;
    this.current = doc;
    return doc;
  }
}
