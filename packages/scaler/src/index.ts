// Resources (AAS / CloudWatch / ECS shapes) and their parsers.

// Cluster capacity (capacity providers).
export { type CapacityScalerInputs, createCapacityScaler } from './capacity/capacity-scaler.js';
export {
  decideInstanceScaling,
  type InstanceAction,
  type InstanceScalingDecision,
} from './capacity/decide.js';
export { type CapacityEstimate, type CapacitySnapshot, estimateCapacity } from './capacity/estimate.js';
export type { InstanceProvider, InstanceTemplate } from './capacity/instance-provider.js';
export { capacityProviderReservation, instancesForTarget } from './capacity/reservation.js';
// The scaler.
export {
  type ActivityStatusCode,
  type ActivityTrigger,
  activityEventMessage,
  activityFailed,
  activitySucceeded,
  type ScalingActivity,
} from './engine/activity.js';
export {
  type CompiledConfiguration,
  compileConfiguration,
  targetTrackingAlarmName,
} from './engine/compile.js';
export { createScaler, type ScalerInputs, type ScalerOptions } from './engine/create-scaler.js';
export {
  type Cooldowns,
  type Decision,
  type DecisionInput,
  decide,
  type ScalingRequest,
} from './engine/decide.js';
export {
  type AlarmStatus,
  type ScalerEvent,
  type ScalerSnapshot,
  ScalingEngine,
  type ScalingEngineOptions,
  type ServiceCapacityState,
} from './engine/engine.js';
export { fireTimes } from './engine/fire-times.js';
export { serviceCapacityState } from './engine/service-state.js';
export { alignedTicks } from './engine/ticks.js';
// Metrics and alarms.
export {
  type AlarmEvaluation,
  type AlarmSpec,
  AlarmWindow,
  breaches,
  evaluateAlarm,
  evaluationRangePeriods,
} from './metrics/alarm.js';
export {
  aggregate,
  type MetricDatapoint,
  type MetricQuery,
  matchesMetric,
  statisticOf,
} from './metrics/datapoint.js';
// Policy arithmetic.
export { adjustedCapacity, findStep, roundPercentChange } from './policies/step-adjustment.js';
export {
  defaultTargetTrackingOptions,
  gradualScaleIn,
  predefinedMetrics,
  proportionalCapacity,
  type TargetTrackingOptions,
  trackedMetric,
} from './policies/target-tracking.js';
export {
  type AutoScalingGroupProvider,
  CapacityProvider,
  type CapacityProviderInput,
  defaultManagedScaling,
  ManagedScaling,
} from './resources/capacity-provider.js';
export {
  MetricDimension,
  MetricStatistic,
  parseResourceId,
  ScalableDimension,
  ServiceNamespace,
  serviceResourceId,
} from './resources/fields.js';
export {
  AlarmState,
  ComparisonOperator,
  MetricAlarm,
  type MetricAlarmInput,
  TreatMissingData,
} from './resources/metric-alarm.js';
export {
  alarmActionNames,
  parseCapacityProvider,
  parseMetricAlarm,
  parseScalableTarget,
  parseScalingConfiguration,
  parseScalingPolicy,
  parseScheduledAction,
  type ScalingConfiguration,
} from './resources/parse.js';
export { scheduledActionLimitIssues } from './resources/rules.js';
export { ScalableTarget, type ScalableTargetInput, SuspendedState } from './resources/scalable-target.js';
export {
  AdjustmentType,
  CustomizedMetricSpecification,
  isStepScaling,
  isTargetTracking,
  MetricAggregationType,
  PolicyType,
  PredefinedMetricSpecification,
  PredefinedMetricType,
  ScalingPolicy,
  type ScalingPolicyInput,
  StepAdjustment,
  type StepScalingPolicy,
  StepScalingPolicyConfiguration,
  type TargetTrackingPolicy,
  TargetTrackingScalingPolicyConfiguration,
} from './resources/scaling-policy.js';
export {
  ScalableTargetAction,
  ScheduledAction,
  type ScheduledActionInput,
  utcMillis,
} from './resources/scheduled-action.js';
export { type StepBounds, stepAdjustmentIssues } from './resources/step-rules.js';
// Schedules.
export { type CronSpec, parseCron } from './schedule/cron.js';
export { parseSchedule, type ScheduleExpression } from './schedule/expression.js';
export { type FireSchedule, nextCronTime, nextFireTime } from './schedule/next-fire.js';
export { instantsOfWallTime, isValidTimeZone, resolveWallTime, wallTimeAt } from './schedule/time-zone.js';
// Live metrics from Docker stats.
export {
  containerCpuUnits,
  containerMemoryMiB,
  cpuUnitsBetween,
  cpuUnitsPerCore,
  type DockerCpuStats,
  type DockerStats,
} from './stats/docker-stats.js';
export {
  type ContainerStatsSample,
  type ReservingTaskDefinition,
  type ServiceTask,
  type ServiceUtilization,
  serviceUtilization,
  serviceUtilizationDatapoints,
  type TaskUsage,
  taskUsageFromStats,
  type UtilizationStreamInputs,
  utilizationDatapoints,
} from './stats/service-utilization.js';

export { atEpoch } from './testing.js';
