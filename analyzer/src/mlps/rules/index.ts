/** The level-protection rules, one file each; a new rule is one file and one line here. */
import type { MlpsRule } from '../rule';
import { cleartextManagement } from './cleartext-management';
import { highRiskInbound } from './high-risk-inbound';
import { createLoginAfterFailures } from './login-after-failures';
import { createSilentLogSource } from './silent-log-source';
import { unauthorisedOutbound } from './unauthorised-outbound';
import { weakTls } from './weak-tls';

/** Fresh instances (stateful rules keep their state per analyzer). */
export const MLPS_RULES: (() => MlpsRule)[] = [
  () => cleartextManagement,
  () => highRiskInbound,
  () => unauthorisedOutbound,
  createSilentLogSource,
  () => weakTls,
  createLoginAfterFailures,
];
