export * from './config';
export { build, type BuildOptions, type ApiRoute } from './app';
export { CONSOLE_ERRORS, ALL_ERRORS } from './errors';
export { ROLES, ROLE_PERMISSIONS, can, canAny, type Role, type Permission, type RoutePermission } from './auth/roles';
export { hashPassword, policyProblems } from './auth/password';
export { ConsoleState, auditKeyPath, type VerifyResult, type AuditRecord, type User } from './state';
export { createAccount, prompt, serveConsole, statePathOf, type RunningConsole } from './serve';
export { auditCheckpointPath, type AuditConfig, type Checkpoint } from './state/audit-anchor';
