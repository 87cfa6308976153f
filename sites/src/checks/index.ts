/** The registration table: every check, in the order they run (later ones reuse earlier fetches). */
import { contentCheck } from './content';
import { darkLinkCheck } from './dark-link';
import { dnsCheck } from './dns';
import { httpCheck } from './http';
import { offsiteStaleCheck } from './offsite-stale';
import { sensitiveCheck } from './sensitive';
import { tlsCheck } from './tls';
import type { SiteCheck } from './types';

export const CHECKS: SiteCheck[] = [
  httpCheck,
  tlsCheck,
  dnsCheck,
  contentCheck,
  darkLinkCheck,
  sensitiveCheck,
  offsiteStaleCheck,
];

export type { SiteCheck, CheckContext, CheckOutcome, FetchedPage } from './types';
