/**
 * The console's side of the rule policy (analyzer/src/service/rule-policy.ts has the format and
 * how a running analyzer picks it up): every change reads the document, applies one edit and
 * writes it back with the next version number, in one synchronous step, so two requests never
 * interleave. Uploaded Sigma files are checked by the analyzer's own engine (parse, pipelines,
 * compile) before they are written; a rejection names each line and reason.
 */
import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  openPipelines,
  parseSigmaText,
  readCatalogue,
  readPolicy,
  RuleSet,
  writePolicy,
  writeUploadedFile,
  type Pipeline,
  type RuleCatalogue,
  type RulePolicyDoc,
  type UploadedRuleFile,
} from '@edusentry/analyzer';

/** One reason an uploaded file is refused, with the line it is on (0: the whole file). */
export interface UploadProblem {
  line: number;
  message: string;
  title?: string;
}

export type UploadCheck = { ok: true; ruleIds: string[]; titles: string[] } | { ok: false; problems: UploadProblem[] };

const PRUNE_AFTER_MS = 30 * 86_400_000;

/** What an uploaded rule's id may be (Sigma ids are UUIDs; never a path). */
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class RulePolicy {
  private pipelines?: Pipeline[];

  /**
   * `subtreeOf` resolves an exception's organisation to it and everything below, which is what the
   * analyzer matches; every change re-resolves all of them, so the subtrees follow the tree.
   */
  constructor(
    readonly dir: string,
    private readonly now: () => number,
    private readonly subtreeOf: (orgId: string) => string[] = (id) => [id],
  ) {}

  read(): RulePolicyDoc {
    return readPolicy(this.dir);
  }

  /** What the analyzer last reported running (undefined: no analyzer has started on this folder). */
  catalogue(): RuleCatalogue | undefined {
    return readCatalogue(this.dir);
  }

  /**
   * Applies one edit as the next version; returns the document written. Exceptions that expired
   * more than PRUNE_AFTER_MS ago are dropped (their creation stays in the audit trail).
   */
  change(actor: string, edit: (doc: RulePolicyDoc) => void): RulePolicyDoc {
    const doc = structuredClone(this.read());
    edit(doc);
    const now = this.now();
    doc.exceptions = doc.exceptions
      .filter((e) => !(Date.parse(e.expiresAt) < now - PRUNE_AFTER_MS))
      .map((e) => (e.orgId ? { ...e, orgIds: this.subtreeOf(e.orgId) } : e));
    doc.version += 1;
    doc.updatedAt = new Date(this.now()).toISOString();
    doc.updatedBy = actor;
    writePolicy(this.dir, doc);
    return doc;
  }

  /** Parses and compiles a Sigma file as the analyzer would; every rule needs an id of its own. */
  check(filename: string, text: string): UploadCheck {
    try {
      return this.checkFile(filename, text);
    } catch (err) {
      // The parser throws on what it cannot walk (a YAML alias that contains itself): refused, not a 500.
      return { ok: false, problems: [{ line: 0, message: `cannot read the file: ${(err as Error).message}` }] };
    }
  }

  private checkFile(filename: string, text: string): UploadCheck {
    const parsed = parseSigmaText(text, filename);
    const problems: UploadProblem[] = parsed.problems.map((p) => ({
      line: p.line,
      message: p.message,
      title: p.title,
    }));
    const ruling = parsed.documents.filter((d) => d.kind !== 'filter');
    if (!problems.length && !ruling.length)
      problems.push({ line: 0, message: 'the file holds no detection or correlation rule' });
    for (const d of ruling)
      if (!d.meta.id)
        problems.push({
          line: d.source.line,
          title: d.meta.title,
          message: `rule "${d.meta.title}" has no id: an uploaded rule needs one (a UUID)`,
        });
      else if (ruling.find((o) => o.meta.id === d.meta.id) !== d)
        problems.push({
          line: d.source.line,
          title: d.meta.title,
          message: `rule id ${d.meta.id} is used twice in the file`,
        });
      else if (!RULE_ID.test(d.meta.id))
        problems.push({
          line: d.source.line,
          title: d.meta.title,
          message: `rule id "${d.meta.id.slice(0, 80)}" may only use letters, digits, ".", "_", ":" and "-" (a UUID)`,
        });
    if (problems.length) return { ok: false, problems };
    const set = new RuleSet(parsed.documents, { pipelines: (this.pipelines ??= openPipelines({ pipelines: '' })) });
    for (const p of set.problems) problems.push({ line: p.line, message: p.message, title: p.title });
    for (const r of set.inactive) {
      const doc = ruling.find((d) => d.meta.id === r.id);
      problems.push({
        line: doc?.source.line ?? 0,
        title: r.title,
        message: `rule "${r.title}" would not run: ${r.reason}`,
      });
    }
    if (problems.length) return { ok: false, problems };
    return { ok: true, ruleIds: ruling.map((d) => d.meta.id!), titles: ruling.map((d) => d.meta.title) };
  }

  /**
   * Writes a checked file and lists it in the policy, replacing earlier uploads that share a
   * rule id. The file goes first: the analyzer loads only files the policy names.
   */
  upload(
    actor: string,
    text: string,
    checked: { ruleIds: string[]; titles: string[] },
  ): { entry: UploadedRuleFile; replaced: UploadedRuleFile[]; version: number } {
    const sha256 = createHash('sha256').update(text).digest('hex');
    const entry: UploadedRuleFile = {
      id: checked.ruleIds[0],
      // Named by content, never by anything the file says.
      file: `uploaded/${sha256.slice(0, 24)}.yml`,
      sha256,
      ruleIds: checked.ruleIds,
      titles: checked.titles,
      uploadedBy: actor,
      uploadedAt: new Date(this.now()).toISOString(),
    };
    writeUploadedFile(this.dir, entry.file, text);
    let replaced: UploadedRuleFile[] = [];
    const doc = this.change(actor, (d) => {
      replaced = d.uploaded.filter((u) => u.ruleIds.some((id) => checked.ruleIds.includes(id)));
      d.uploaded = [...d.uploaded.filter((u) => !replaced.includes(u)), entry];
    });
    for (const r of replaced) if (r.file !== entry.file) this.removeFile(r.file);
    return { entry, replaced, version: doc.version };
  }

  removeFile(file: string): void {
    try {
      unlinkSync(join(this.dir, file));
    } catch {
      // already gone: the policy no longer names it, which is what counts
    }
  }
}
