export * from './config';
export * from './sink';
export * from './packet';
export * from './logs';
export * from './flow-export';
export * from './shipper';
