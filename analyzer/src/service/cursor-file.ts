/** The analyzer's position in the store and its correlation state, saved atomically. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TailCursor } from '@edusentry/core';

export interface SavedState {
  cursor: TailCursor | null;
  correlation?: unknown;
  savedAt?: string;
}

export function readState(file: string): SavedState {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    return { cursor: parsed.cursor ?? null, correlation: parsed.correlation };
  } catch {
    return { cursor: null };
  }
}

export function writeState(file: string, state: SavedState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...state, savedAt: new Date().toISOString() }));
  renameSync(tmp, file);
}
