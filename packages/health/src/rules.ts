// ECS's health rules live beside the decisions that use them (`@baton-ecs/reconciler`); they are
// re-exported here so every health rule can be found in one package.
export {
  aggregateHealth,
  containerHealth,
  implicitHealthyAfterMs,
  stoppedReasons,
  type TargetHealth,
  type TaskHealthVerdict,
  taskHealth,
  taskHealthForDeployment,
} from '@baton-ecs/reconciler';
