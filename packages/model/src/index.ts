export * from './arn.js';
export * from './cluster.js';
export * from './cluster-query/index.js';
export * from './container-definition.js';
export * from './container-instance.js';
export {
  ecsObject,
  type IgnoredReason,
  ignored,
  intAtLeast,
  intBetween,
  KeyValuePair,
  show,
  Tag,
  Timestamp,
} from './fields.js';
export * from './limits.js';
export * from './linux-parameters.js';
export * from './load-balancer.js';
export * from './log-configuration.js';
export * from './parse.js';
export * from './placement.js';
export { maxPortRangesPerContainer, parsePortRange } from './port-range-rules.js';
export * from './secrets.js';
export * from './service.js';
export * from './service-task-definition.js';
export * from './target-group.js';
export { targetGroupRules } from './target-group-rules.js';
export * from './task.js';
export * from './task-definition.js';
export { findCycle } from './task-definition-rules.js';
export * from './task-network.js';
export * from './validation.js';
export * from './volume.js';
export { volumeRules } from './volume-rules.js';
