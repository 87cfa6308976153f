export { logsConfigSchema, type LogsConfig } from './config';
export { parseSyslog, FACILITIES, SEVERITIES, type SyslogMessage, type ParseOptions } from './syslog/parse';
export { lineToEvent, senderObserver, type LogEventOptions } from './syslog/to-event';
export {
  PARSERS,
  parserByName,
  selectParser,
  parseDeviceLine,
  type DeviceParser,
  type ParsedLog,
  type Binding,
} from './parsers';
export { Attribution } from '@edusentry/core';
export { SyslogFramer } from './receivers/framing';
export { SyslogUdpReceiver } from './receivers/syslog-udp';
export { SyslogTcpReceiver } from './receivers/syslog-tcp';
export { FlowUdpReceiver } from './receivers/flow-udp';
export {
  RECEIVERS,
  portOf,
  type Receiver,
  type EmitEvents,
  type ReceiverKind,
  type ReceiverContext,
} from './receivers';
export { followFiles, type FollowOptions } from './file-follower';
export { listen, type ListenOptions, type Listening } from './listen';
export { collectFiles, type CollectFilesOptions } from './collect-files';
