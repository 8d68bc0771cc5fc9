export {
  AwslogsCollector,
  type AwslogsCollectorOptions,
  formatCursor,
  linesAfter,
  parseCursor,
} from './awslogs-collector.js';
export { type FilterPattern, matchesFilter, parseFilterPattern } from './filter-pattern.js';
export { type AppendedEvent, LogStore, type LogStoreOptions, type StoredEvent } from './log-store.js';
export {
  type FilteredLogEvent,
  type LogGroup,
  type LogStream,
  LogsApi,
  type LogsRequest,
  type LogTailFilter,
  logsRequestSchemas,
  type OutputLogEvent,
  retentionDays,
} from './logs-api.js';
export { type AssembledEvent, MultilineAssembler, maxEventBytes } from './multiline.js';
export { formatToken, type PageToken, pageOf, parseToken } from './tokens.js';
