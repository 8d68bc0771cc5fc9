/**
 * How a simulated task behaves, per task definition revision. Times are in
 * virtual milliseconds from the moment the task enters the phase.
 */
export interface TaskBehaviour {
  /** PROVISIONING → PENDING → RUNNING takes pullMs + startMs. Defaults 1000 + 1000. */
  readonly pullMs?: number;
  readonly startMs?: number;
  /** desiredStatus STOPPED → STOPPED. Default 1000. */
  readonly stopMs?: number;
  /** With a health check on an essential container: HEALTHY this long after RUNNING. Default 2000. */
  readonly healthyAfterMs?: number;
  /** The task never starts: it stops with TaskFailedToStart and this reason. */
  readonly failToStart?: string;
  /** An essential container exits this long after RUNNING. */
  readonly exitAfterMs?: number;
  readonly exitCode?: number;
  /** The health check turns UNHEALTHY this long after RUNNING. */
  readonly unhealthyAfterMs?: number;
}

export const defaultBehaviour = {
  pullMs: 1000,
  startMs: 1000,
  stopMs: 1000,
  healthyAfterMs: 2000,
} as const satisfies TaskBehaviour;
