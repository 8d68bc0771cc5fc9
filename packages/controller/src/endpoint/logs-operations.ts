import type { Baton } from '../baton.js';
import type { Operation } from './ecs-operations.js';

/**
 * CloudWatch Logs' operations (`Logs_20140328`) over `baton.logs`, which already speaks
 * CloudWatch's shapes, names and pagination (`limit`/`nextToken`, GetLogEvents' forward and
 * backward tokens): a request's members go to the method as they are. `aws logs tail` pages and
 * polls FilterLogEvents.
 */
export function logsOperations(baton: Baton): Readonly<Record<string, Operation>> {
  const logs = baton.logs;
  return {
    CreateLogGroup: (i) => logs.createLogGroup(i as never),
    DeleteLogGroup: (i) => logs.deleteLogGroup(i as never),
    DescribeLogGroups: (i) => logs.describeLogGroups(i as never),
    DescribeLogStreams: (i) => logs.describeLogStreams(i as never),
    PutRetentionPolicy: (i) => logs.putRetentionPolicy(i as never),
    DeleteRetentionPolicy: (i) => logs.deleteRetentionPolicy(i as never),
    GetLogEvents: (i) => logs.getLogEvents(i as never),
    FilterLogEvents: (i) => logs.filterLogEvents(i as never),
    CreateLogStream: (i) => logs.createLogStream(i as never),
    PutLogEvents: (i) => logs.putLogEvents(i as never),
  };
}
