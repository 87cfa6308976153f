export * from './catalogue';
export { mlpsConfigSchema, type MlpsConfig } from './config';
export { MlpsEngine } from './engine';
export type { MlpsRule, MlpsRuleInfo, MlpsContext } from './rule';
export { MLPS_RULES } from './rules';
export * from './checks';
export { mlpsStatus, type ItemStatus } from './status';
