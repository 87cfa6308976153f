export * from './auth';
export * from './posture';
export * from './alert';
export * from './incident';
export * from './collector';
export * from './search';
export * from './system';
