/**
 * The one interface of a continuous evidence check (one file each here, listed in index.ts): for
 * one organisation (its subtree) it computes a status, the evidence behind it and when. Checks read
 * the event store directly; what lives elsewhere (console accounts, the audit chain, notices,
 * drills, backups) comes through optional providers, and a check whose source is absent says `na`
 * with the reason instead of guessing.
 */
import type { EventStore } from '@edusentry/core';

export type EvidenceStatus = 'pass' | 'partial' | 'fail' | 'na' | 'manual';
export const STATUS_LABEL: Record<EvidenceStatus, string> = {
  pass: '符合',
  partial: '部分符合',
  fail: '不符合',
  na: '不适用',
  manual: '待人工确认',
};

export interface EvidenceResult {
  check: string;
  status: EvidenceStatus;
  /** One sentence in Chinese: what was found. */
  summary: string;
  /** Counts and examples behind the status. */
  evidence: Record<string, unknown>;
  computedAt: string;
}

export interface Account {
  username: string;
  role: string | null;
  disabled?: boolean;
}

export interface EvidenceProviders {
  /** Console accounts and the lockout/idle settings in force. */
  accounts?: () => Promise<{ accounts: Account[]; lockoutAttempts?: number; idleTimeoutMin?: number }>;
  /** The audit chain's verification result and its anchor. */
  auditVerification?: () => Promise<{ ok: boolean; entries: number; anchor?: string; reason?: string }>;
  /** Notices (#8) of the period: due and closed times. */
  notices?: () => Promise<{ id: string; dueAt?: string; closedAt?: string }[]>;
  /** Drills (#9) held in the period, and when response plans were last reviewed. */
  drills?: () => Promise<{ held: string[]; plansReviewedAt?: string }>;
  /** Backups (backup helper's manifests): when taken, when a restore was last tested. */
  backups?: () => Promise<{ takenAt: string[]; restoreTestedAt?: string }>;
}

export interface EvidenceContext {
  store: EventStore;
  /** The organisation and its subtree (ids as events carry them). */
  orgIds: string[];
  /** The period under assessment. */
  fromMs: number;
  toMs: number;
  providers: EvidenceProviders;
  /** Alerts of at least this severity must be triaged within slaHours. */
  slaHours: number;
}

export interface EvidenceCheck {
  /** The catalogue's evidence source id (rules/mlps/catalogue/evidence.yml), e.g. check.retention. */
  id: string;
  title: string;
  run(ctx: EvidenceContext): Promise<Omit<EvidenceResult, 'check' | 'computedAt'>>;
}

export const na = (summary: string): Omit<EvidenceResult, 'check' | 'computedAt'> => ({
  status: 'na',
  summary,
  evidence: {},
});
