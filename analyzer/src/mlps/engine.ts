/**
 * Runs the registered level-protection rules (rules/index.ts) over the analyzer's events, beside
 * the Sigma detector: one call per event, one tick per batch with the latest event time.
 */
import type { AlertEvent, Logger } from '@edusentry/core';
import type { MlpsConfig } from './config';
import type { Ev, MlpsContext, MlpsRule } from './rule';
import { timeMs } from './rule';
import { MLPS_RULES } from './rules';

export class MlpsEngine {
  readonly rules: MlpsRule[];
  private readonly ctx: MlpsContext;
  private latestMs = 0;

  constructor(
    config: MlpsConfig,
    onCampus: (ip: string | undefined) => boolean,
    private log?: Logger,
  ) {
    this.rules = config.enabled ? MLPS_RULES.map((make) => make()) : [];
    this.ctx = { config, onCampus };
  }

  process(ev: Ev): AlertEvent[] {
    const t = timeMs(ev);
    if (t > this.latestMs) this.latestMs = t;
    const out: AlertEvent[] = [];
    for (const r of this.rules) {
      try {
        out.push(...r.process(ev, this.ctx));
      } catch (e) {
        this.log?.warn(
          { rule: r.id, id: (ev.event as { id?: string })?.id, err: (e as Error).message },
          'level-protection rule failed on an event; skipped',
        );
      }
    }
    return out;
  }

  /** Alerts of absence (a silent source), as of the latest event time read. */
  tick(): AlertEvent[] {
    if (!this.latestMs) return [];
    return this.rules.flatMap((r) => r.tick?.(this.latestMs, this.ctx) ?? []);
  }
}
