/**
 * A loaded rule set: every document parsed, pipelines applied, detection rules compiled to
 * predicates and routed by event.dataset, correlations resolved. Nothing is skipped silently:
 * a rule is active, inactive (with the reason, e.g. no pipeline for its log source) or
 * rejected (with file, line and reason).
 */
import { compileCondition, compileNode } from '../compile/detection';
import type { CompileOptions, Predicate } from '../compile/item';
import { applyPipelines, type Pipeline } from '../compile/pipeline';
import { parseRuleFiles } from '../load';
import type { CorrelationRule, DetectionRule, FilterRule, RuleProblem, SigmaDocument } from '../types';
import { SigmaError } from '../types';
import { EventView } from './event-view';
import { ruleLiterals, type Clauses } from './literals';
import { Prefilter } from './prefilter';

export interface CompiledRule {
  rule: DetectionRule;
  /** Stable key: the rule id, else file + title. */
  key: string;
  predicate: Predicate;
  datasets: string[];
  fieldMap: Record<string, string[]>;
  /** False when only correlations use it (correlation `generate: false`). */
  alerting: boolean;
  /** Filters (meta-filters) applied to this rule. */
  filters: string[];
  /** Placeholder values the rule was compiled with (pipeline vars and configuration). */
  placeholders: Record<string, string[]>;
  /** Necessary literal clauses for the prefilter (empty: always evaluated). */
  literals: Clauses;
}

export interface CompiledCorrelation {
  rule: CorrelationRule;
  key: string;
  /** Keys of referenced detection or correlation rules, in the order written. */
  refs: string[];
  /** Per referenced key: the group-by fields (after aliases and field mapping). */
  groupFields: Record<string, string[]>;
  /** Per referenced key: the value field (value_* types). */
  valueField: Record<string, string | undefined>;
}

export interface InactiveRule {
  title: string;
  id?: string;
  file: string;
  reason: string;
}

export interface RuleSetOptions {
  pipelines: Pipeline[];
  placeholders?: Record<string, string[]>;
  emulate?: CompileOptions['emulate'];
}

export function ruleKey(doc: SigmaDocument): string {
  return doc.meta.id ?? `${doc.source.file}#${doc.meta.title}`;
}

export class RuleSet {
  readonly rules: CompiledRule[] = [];
  readonly correlations: CompiledCorrelation[] = [];
  readonly inactive: InactiveRule[] = [];
  readonly problems: RuleProblem[] = [];
  files = 0;
  documents = 0;
  private byDataset = new Map<string, CompiledRule[]>();
  private prefilters = new Map<string, Prefilter>();
  readonly byKey = new Map<string, CompiledRule>();

  static fromPaths(paths: string[], opts: RuleSetOptions): RuleSet {
    const parsed = parseRuleFiles(paths);
    const set = new RuleSet(parsed.documents, opts);
    set.files = parsed.files;
    set.problems.unshift(...parsed.problems);
    return set;
  }

  constructor(docs: SigmaDocument[], opts: RuleSetOptions) {
    this.documents = docs.length;
    const filters = docs.filter((d): d is FilterRule => d.kind === 'filter');
    const correlations = docs.filter((d): d is CorrelationRule => d.kind === 'correlation');
    const nameToKey = new Map<string, string>();
    for (const d of docs) {
      nameToKey.set(ruleKey(d), ruleKey(d));
      if (d.meta.name) nameToKey.set(d.meta.name, ruleKey(d));
      if (d.meta.id) nameToKey.set(d.meta.id, ruleKey(d));
    }
    const silenced = new Set<string>();
    for (const c of correlations) if (!c.generate) c.rules.forEach((r) => silenced.add(nameToKey.get(r) ?? r));

    for (const d of docs) {
      if (d.kind !== 'rule') continue;
      const key = ruleKey(d);
      const problem = (message: string, line: number) =>
        this.problems.push({
          file: d.source.file,
          line: line || d.source.line,
          title: d.meta.title,
          id: d.meta.id,
          message,
        });
      const applicable = filters.filter((f) => f.rules.some((r) => r === d.meta.id || r === d.meta.name));
      const applied = applyPipelines(applicable.reduce(withFilter, d), opts.pipelines);
      const copts: CompileOptions = {
        placeholders: { ...applied.placeholders, ...(opts.placeholders ?? {}) },
        emulate: opts.emulate,
      };
      try {
        const rule = applied.rule;
        const ids: Record<string, Predicate> = {};
        for (const [name, node] of Object.entries(rule.detection)) ids[name] = compileNode(node, copts);
        const predicate = compileCondition(rule.condition, ids);
        if (applied.datasets.length === 0) {
          const ls = Object.entries(d.logsource)
            .filter(([k, v]) => v && k !== 'definition')
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          this.inactive.push({
            title: d.meta.title,
            id: d.meta.id,
            file: d.source.file,
            reason: `no pipeline for logsource ${ls}`,
          });
          continue;
        }
        const compiled: CompiledRule = {
          rule,
          key,
          predicate,
          datasets: applied.datasets,
          fieldMap: applied.fieldMap,
          alerting: !silenced.has(key),
          filters: applicable.map((f) => f.meta.title),
          placeholders: copts.placeholders,
          literals: ruleLiterals(rule, copts),
        };
        this.rules.push(compiled);
        this.byKey.set(key, compiled);
        for (const ds of applied.datasets) {
          if (!this.byDataset.has(ds)) this.byDataset.set(ds, []);
          this.byDataset.get(ds)!.push(compiled);
        }
      } catch (e) {
        if (e instanceof SigmaError) problem(e.message, e.line);
        else problem(`cannot compile: ${(e as Error).message}`, d.source.line);
      }
    }
    for (const [ds, rules] of this.byDataset) this.prefilters.set(ds, new Prefilter(rules));
    this.resolveCorrelations(correlations, nameToKey);
  }

  private resolveCorrelations(correlations: CorrelationRule[], nameToKey: Map<string, string>): void {
    const known = new Set<string>([...this.byKey.keys(), ...correlations.map(ruleKey)]);
    for (const c of correlations) {
      const key = ruleKey(c);
      const refs = c.rules.map((r) => nameToKey.get(r) ?? r);
      const missing = refs.filter((r) => !known.has(r));
      if (missing.length) {
        const why = missing.map((m) => (this.inactive.some((i) => i.id === m) ? `${m} (inactive)` : m)).join(', ');
        this.inactive.push({
          title: c.meta.title,
          id: c.meta.id,
          file: c.source.file,
          reason: `correlation refers to rules not loaded or not active: ${why}`,
        });
        continue;
      }
      const groupFields: Record<string, string[]> = {};
      const valueField: Record<string, string | undefined> = {};
      for (let i = 0; i < refs.length; i++) {
        const ref = refs[i];
        const name = c.rules[i];
        const base = this.byKey.get(ref);
        const map = (f: string) => base?.fieldMap[f]?.[0] ?? f;
        const resolveAlias = (f: string) => {
          const a = c.aliases[f];
          if (!a) return map(f);
          const baseDoc = base?.rule;
          const target =
            a[name] ??
            (baseDoc?.meta.name ? a[baseDoc.meta.name] : undefined) ??
            (baseDoc?.meta.id ? a[baseDoc.meta.id] : undefined);
          return map(target ?? f);
        };
        groupFields[ref] = c.groupBy.map(resolveAlias);
        valueField[ref] = c.field ? resolveAlias(c.field) : undefined;
      }
      this.correlations.push({ rule: c, key, refs, groupFields, valueField });
    }
  }

  /** The rules whose condition holds for this event (routing + prefilter + predicate). */
  match(doc: Record<string, unknown>): CompiledRule[] {
    const pre = this.prefilterOf(doc);
    if (!pre) return [];
    const view = new EventView(doc);
    const out: CompiledRule[] = [];
    for (const r of pre.candidates(view)) if (r.predicate(view)) out.push(r);
    return out;
  }

  /** The rules whose predicate `match` evaluates for this event (routing + prefilter). */
  candidates(doc: Record<string, unknown>): CompiledRule[] {
    return this.prefilterOf(doc)?.candidates(new EventView(doc)) ?? [];
  }

  private prefilterOf(doc: Record<string, unknown>): Prefilter | undefined {
    const ds = (doc.event as { dataset?: string } | undefined)?.dataset ?? (doc['event.dataset'] as string | undefined);
    return ds ? this.prefilters.get(ds) : undefined;
  }

  activeDatasets(): string[] {
    return [...this.byDataset.keys()];
  }
}

function withFilter(rule: DetectionRule, f: FilterRule): DetectionRule {
  const detection = { ...rule.detection };
  const rename = new Map<string, string>();
  for (const [k, v] of Object.entries(f.detection)) {
    const nk = `_filter_${f.meta.title}_${k}`;
    rename.set(k, nk);
    detection[nk] = v;
  }
  const renameCond = (c: DetectionRule['condition']): DetectionRule['condition'] =>
    c.op === 'id'
      ? { op: 'id', name: rename.get(c.name) ?? c.name }
      : c.op === 'not'
        ? { op: 'not', arg: renameCond(c.arg) }
        : { op: c.op, args: c.args.map(renameCond) };
  return { ...rule, detection, condition: { op: 'and', args: [rule.condition, renameCond(f.condition)] } };
}
