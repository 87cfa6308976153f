export { FlowDecoder, type FlowDecoderOptions } from './decoder';
export type { FlowRecord, FlowCounters, FlowProtocol } from './types';
export { FlowDecodeError } from './types';
export { TemplateCache } from './templates';
export { decodeSampledHeader, type SampledHeader } from './sampled-header';
export { flowToEcs, flowsToEcs, type FlowEcsOptions } from './to-ecs';
