export * from './sample';
export * from './sample-province';
export { Random } from './random';
