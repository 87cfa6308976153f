export * from './config';
export { tcpFlagNames, transportName, TCP_FLAG_NAMES } from '../protocol-names';
export { DecodedPacket, decodeFrame, formatIp, LINKTYPE, IPPROTO, TCP, type DecodeError } from './decode';
export {
  CaptureReader,
  readCaptureFile,
  type PacketHandler,
  type CaptureFormat,
  type ReadFileOptions,
} from './capture-reader';
export { communityId, communityIdBytes, wordsToBytes } from './community-id';
export { FlowTable, type EndReason, type FlowTableOptions } from './flow-table';
export { FragmentReassembler } from './ip-defrag';
export { CampusMatcher, type FlowDirection } from './campus-matcher';
export { PacketPipeline, type PipelineOptions } from './pipeline';
export * from './app';
export { ProgressLine, formatSummary } from './progress';
export { LiveCapture, type LiveOptions } from './live';
export { captureLive, drainTo, pipelineFor, readCaptures, type LiveRunOptions, type PacketRunOptions } from './run';
