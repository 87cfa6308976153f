/** The word lists of rules/sites (or the configured copies), loaded once per process per file. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EduError } from '@edusentry/core';
import { sigmaDir } from '@edusentry/rules';
import { parse } from 'yaml';

export const sitesRulesDir = join(dirname(sigmaDir), 'sites');

export interface WordList {
  /** Lower-cased word → its category. */
  words: Map<string, string>;
}

export interface SiteRules {
  darkLink: WordList;
  sensitive: WordList;
  signatures: RegExp[];
}

function readYaml(file: string): Record<string, unknown> {
  try {
    const v = parse(readFileSync(file, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a map of category → list');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new EduError('EDU_ERR_CONFIG', `${file}: ${(e as Error).message}`);
  }
}

export function loadWordList(file: string): WordList {
  const words = new Map<string, string>();
  for (const [cat, list] of Object.entries(readYaml(file))) {
    if (!Array.isArray(list)) throw new EduError('EDU_ERR_CONFIG', `${file}: ${cat} must be a list of words`);
    for (const w of list) if (typeof w === 'string' && w.trim()) words.set(w.trim().toLowerCase(), cat);
  }
  return { words };
}

const cache = new Map<string, SiteRules>();

export function loadSiteRules(opts: { darkLinkKeywords?: string; sensitiveWords?: string } = {}): SiteRules {
  const dark = opts.darkLinkKeywords || join(sitesRulesDir, 'dark-link-keywords.yaml');
  const sens = opts.sensitiveWords || join(sitesRulesDir, 'sensitive-words.yaml');
  const key = `${dark}\0${sens}`;
  let r = cache.get(key);
  if (!r) {
    const sigFile = join(sitesRulesDir, 'defacement-signatures.yaml');
    const sigs = readYaml(sigFile).signatures;
    if (!Array.isArray(sigs)) throw new EduError('EDU_ERR_CONFIG', `${sigFile}: signatures must be a list`);
    r = {
      darkLink: loadWordList(dark),
      sensitive: loadWordList(sens),
      signatures: sigs.map((s) => new RegExp(String(s), 'i')),
    };
    cache.set(key, r);
  }
  return r;
}

/** The words of `list` found in `text` (lower-cased substring match), at most `max`. */
export function findWords(list: WordList, text: string, max = 20): { word: string; category: string }[] {
  const lower = text.toLowerCase();
  const hits: { word: string; category: string }[] = [];
  for (const [word, category] of list.words) {
    if (lower.includes(word)) {
      hits.push({ word, category });
      if (hits.length >= max) break;
    }
  }
  return hits;
}
