export * from './config';
export { build, type BuildOptions } from './app';
export { CONSOLE_ERRORS, ALL_ERRORS } from './errors';
export { ROLES, ROLE_PERMISSIONS, type Role, type Permission } from './auth/roles';
export { hashPassword, policyProblems } from './auth/password';
export { ConsoleState, auditKeyPath, type VerifyResult, type AuditRecord, type User } from './state';
