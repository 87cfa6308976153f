export * from './config';
export {
  DecodedPacket,
  decodeFrame,
  formatIp,
  tcpFlagNames,
  transportName,
  LINKTYPE,
  IPPROTO,
  TCP,
  type DecodeError,
} from './decode';
export {
  CaptureReader,
  readCaptureFile,
  type PacketHandler,
  type CaptureFormat,
  type ReadFileOptions,
} from './capture-reader';
export { communityId, communityIdBytes, wordsToBytes } from './community-id';
export { FlowTable, type EndReason, type FlowTableOptions } from './flow-table';
export { FragmentReassembler } from './reassembly';
export { CampusMatcher, type FlowDirection } from './direction';
export { PacketPipeline, type PipelineOptions } from './pipeline';
export * from './app';
export { ProgressLine, formatSummary } from './progress';
export { LiveCapture, type LiveOptions } from './live';
export { captureLive, drainTo, pipelineFor, readCaptures, type LiveRunOptions, type PacketRunOptions } from './run';
