/** Finding and parsing rule files: directories recursively, `.yml`/`.yaml`. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EduError } from '@edusentry/core';
import { parseSigmaText, type ParsedFile } from './parse/document';

export function ruleFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new EduError('EDU_ERR_NOT_FOUND', `rule path ${p} does not exist`);
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) {
        const full = join(p, e);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.ya?ml$/i.test(e)) out.push(full);
      }
    } else out.push(p);
  };
  paths.forEach(walk);
  return out;
}

export function parseRuleFiles(paths: string[]): ParsedFile & { files: number } {
  const result: ParsedFile & { files: number } = { documents: [], problems: [], files: 0 };
  for (const file of ruleFiles(paths)) {
    result.files++;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      result.problems.push({ file, line: 0, message: `unreadable: ${(e as Error).message}` });
      continue;
    }
    let parsed: ParsedFile;
    try {
      parsed = parseSigmaText(text, file);
    } catch (e) {
      // What the parser cannot walk (a YAML alias that contains itself) rejects the file, not the rule set.
      result.problems.push({ file, line: 0, message: `cannot read the file: ${(e as Error).message}` });
      continue;
    }
    result.documents.push(...parsed.documents);
    result.problems.push(...parsed.problems);
  }
  return result;
}
