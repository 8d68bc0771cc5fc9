/**
 * The rolling-update arithmetic of ECS. With desired count D, a deployment
 * keeps at least ceil(D·min/100) healthy tasks and at most floor(D·max/100)
 * tasks RUNNING or PENDING across all of the service's deployments.
 */
export interface DeploymentLimits {
  /** Healthy tasks that must remain while old tasks are stopped. */
  readonly minimumHealthy: number;
  /** Tasks (RUNNING + PENDING, all deployments) that may exist at once. */
  readonly maximumTotal: number;
}

export function deploymentLimitsFor(
  desiredCount: number,
  minimumHealthyPercent: number,
  maximumPercent: number,
): DeploymentLimits {
  return {
    // Floating point: 3·(100/100) must not become 3.0000000004 and round up.
    minimumHealthy: Math.ceil(roundTiny((desiredCount * minimumHealthyPercent) / 100)),
    maximumTotal: Math.floor(roundTiny((desiredCount * maximumPercent) / 100)),
  };
}

function roundTiny(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : x;
}

/**
 * How many tasks a pass may start and stop, given the tasks that exist now.
 * `healthy` counts tasks that count as healthy; `total` counts RUNNING +
 * PENDING tasks of every deployment.
 */
export function rolloutBudget(
  limits: DeploymentLimits,
  counts: { readonly healthy: number; readonly total: number },
): { readonly canStart: number; readonly canStopHealthy: number } {
  return {
    canStart: Math.max(0, limits.maximumTotal - counts.total),
    canStopHealthy: Math.max(0, counts.healthy - limits.minimumHealthy),
  };
}

/** ECS's deployment circuit breaker threshold: min(200, max(3, ceil(0.5·D))). */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * desiredCount)));
}
