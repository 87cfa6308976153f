export * from './types';
export { sitesConfigSchema, defaultSitesConfig, type SitesConfig } from './config';
export { SiteRegistry, registryPath, type SiteInput } from './registry';
export { readSheet, parseSheet, checkUrl, REQUIRED_COLUMNS, type RowProblem, type SheetResult } from './import';
export { SiteMonitor, type MonitorOptions, type SiteRunResult } from './monitor';
export { BaselineStore, type PageBaseline } from './baseline';
export { StateFile, type SiteState } from './state';
export { Resolvers, parseResolverSpec } from './net/resolver';
export { fetchPage, type FetchResult } from './net/fetch';
export { CHECKS, type SiteCheck, type CheckContext, type CheckOutcome } from './checks';
export { analyzePage, type PageAnalysis, type PageLink, type HidingTechnique } from './html/page';
export { findPersonalData, isValidIdNumber, idCheckDigit } from './pii';
export { loadSiteRules, sitesRulesDir } from './rules';
export { Scheduler, type SchedulerOptions, type SchedulerStats } from './scheduler';
export { SITE_RULES, GBT20986, gbt20986Of, recordRecoveries, storeWriter } from './alerts';
export {
  currentStatus,
  availability,
  WALL_STATES,
  type SiteStatus,
  type WallState,
  type StoredFinding,
  type AvailabilityBucket,
} from './status';
