export { ClusterState, type SpreadValues } from './cluster-state.js';
export {
  type DaemonPlacement,
  type DaemonPlacementRequest,
  type DaemonShortfall,
  type InstancePlacement,
  placeDaemonTasks,
} from './daemon.js';
export {
  type ClosestInstance,
  describeClosest,
  describeRejection,
  formatEcsPlacementSentence,
  formatPlacementExplanation,
  formatRejections,
  noInstanceMetRequirements,
  noInstancesMessage,
  type PlacementExplanation,
} from './explanation.js';
export { type FilterName, type FilterRejection, filterOrder, type PlacementFilter } from './filters.js';
export type { GroupTaskCounts, GroupTasks } from './group-tasks.js';
export type { InstanceRecord } from './instance-record.js';
export { placeTasksLinearScan } from './linear-scan.js';
export { placeTasks } from './place-tasks.js';
export { type CompiledQuery, compileClusterQuery } from './query/compile.js';
export { compareVersions } from './query/values.js';
export { mulberry32, type RandomSource, randomInt } from './random.js';
export { remainingResources } from './remaining-resources.js';
export type {
  PlacementContext,
  PlacementFailure,
  PlacementOutcome,
  PlacementRequest,
  TaskPlacement,
} from './request.js';
export {
  ECS_RESERVED_TCP_PORTS,
  type Reservation,
  staticHostPorts,
  taskDefinitionReservation,
  taskReservation,
} from './reservation.js';
export { type ScaleInRequest, selectTasksToStop } from './scale-in.js';
export type {
  ClusterSnapshot,
  SchedulerInstance,
  SchedulerTask,
  SchedulerTaskDefinition,
  TaskDefinitionLookup,
} from './snapshot.js';
export { compileStrategies, defaultPlacementStrategy, type StrategyStep } from './strategy.js';
