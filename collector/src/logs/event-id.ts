/**
 * core's eventId(source, content) for string content, specialised for the per-event
 * hot paths (flows, syslog): one-shot hashing (Node ≥ 20.12) instead of a Hash object
 * per event. Same input, same digest: sha256 of source, NUL, content — ids stay
 * identical across versions, so replays still de-duplicate.
 */
import * as crypto from 'node:crypto';
import { eventId } from '@edusentry/core';

const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64url') => string }).hash;

export function stringEventId(source: string, content: string): string {
  return oneShot ? oneShot('sha256', `${source}\0${content}`, 'base64url').slice(0, 27) : eventId(source, content);
}
