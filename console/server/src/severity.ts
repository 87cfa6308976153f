/** Alert severity names: Sigma's rule.level, or derived from event.severity (0-100). */
import type { AlertEvent, EcsEvent } from '@edusentry/core';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Risk weight of one open alert of each severity (per-school risk ranking). */
export const RISK_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 2, low: 1, informational: 0 };

export function severityOf(alert: Pick<EcsEvent, 'rule' | 'event'>): Severity {
  const level = alert.rule?.level;
  if (level && (SEVERITIES as readonly string[]).includes(level)) return level as Severity;
  const n = alert.event?.severity ?? 0;
  return n >= 90 ? 'critical' : n >= 70 ? 'high' : n >= 47 ? 'medium' : n >= 21 ? 'low' : 'informational';
}

export function withSeverity<A extends AlertEvent | EcsEvent>(alert: A): A & { severity: Severity } {
  return { ...alert, severity: severityOf(alert as EcsEvent) };
}

export function zeroBySeverity(): Record<Severity, number> {
  return { critical: 0, high: 0, medium: 0, low: 0, informational: 0 };
}
