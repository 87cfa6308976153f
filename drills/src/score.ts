/**
 * Scores as OpenBAS counts them: each expectation met fully (100), partially (50) or not (0);
 * one not measured yet is `pending` and left out of the averages. Per category of expectation
 * (detection, response, reporting, manual) and overall.
 */
import type { Expectation } from './scenario';

export interface ExpectationResult {
  id: string;
  type: Expectation['type'];
  inject: string;
  outcome: 'full' | 'partial' | 'none' | 'pending';
  score: number | null;
  /** The alert (or other record) that met it. */
  evidence?: string;
  /** Drill-time seconds from the inject to the evidence (real seconds × speed). */
  seconds?: number;
}

export type ScoreCategory = 'detection' | 'response' | 'reporting' | 'manual';

const CATEGORY: Record<Expectation['type'], ScoreCategory> = {
  detect: 'detection',
  acknowledge: 'response',
  escalate: 'response',
  report: 'reporting',
  manual: 'manual',
};

export interface RunScore {
  expectations: ExpectationResult[];
  /** Mean of the scored expectations, null when none is scored. */
  score: number | null;
  byCategory: Partial<Record<ScoreCategory, number | null>>;
  pending: number;
}

const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

export function scoreRun(expectations: ExpectationResult[]): RunScore {
  const scored = (rs: ExpectationResult[]) => rs.flatMap((r) => (r.score === null ? [] : [r.score]));
  const byCategory: RunScore['byCategory'] = {};
  for (const c of new Set(expectations.map((r) => CATEGORY[r.type])))
    byCategory[c] = mean(scored(expectations.filter((r) => CATEGORY[r.type] === c)));
  return {
    expectations,
    score: mean(scored(expectations)),
    byCategory,
    pending: expectations.filter((r) => r.outcome === 'pending').length,
  };
}
