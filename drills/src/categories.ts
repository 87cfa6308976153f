/** The GB/T 20986-2023 categories, read once from rules/drills/categories (data, not code). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drillsDir } from '@edusentry/rules';
import { parse } from 'yaml';

export interface IncidentCategory {
  id: string;
  zh: string;
  en: string;
}

let cached: IncidentCategory[] | undefined;

export function incidentCategories(): IncidentCategory[] {
  cached ??= parse(readFileSync(join(drillsDir, 'categories', 'gbt20986-2023.yaml'), 'utf8')) as IncidentCategory[];
  return cached;
}
