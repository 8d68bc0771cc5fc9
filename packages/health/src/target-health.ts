import type { TargetState } from '@baton/model';

/**
 * A target's health as a pure state machine (ELB's): `initial` on registration, `healthy` after
 * `healthyThreshold` consecutive passing checks, `unhealthy` after `unhealthyThreshold` consecutive
 * failures (from `initial` or `healthy`), back to `healthy` after `healthyThreshold` passes;
 * `draining` once deregistered, `unused` when it has drained. Reasons are ELB's codes.
 */
export interface TargetHealthState {
  readonly state: TargetState;
  readonly reason?: TargetHealthReason;
  readonly description?: string;
  /** Consecutive passing checks. */
  readonly successes: number;
  /** Consecutive failed checks. */
  readonly failures: number;
}

export type TargetHealthReason =
  | 'Elb.RegistrationInProgress'
  | 'Elb.InitialHealthChecking'
  | 'Target.ResponseCodeMismatch'
  | 'Target.Timeout'
  | 'Target.FailedHealthChecks'
  | 'Target.DeregistrationInProgress'
  | 'Target.NotRegistered'
  | 'Target.HealthCheckDisabled';

/** The result of one health check. */
export type ProbeOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks';
      readonly description: string;
    };

export interface HealthThresholds {
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** ELB's defaults: 5 passes to turn healthy, 2 failures to turn unhealthy. */
export const defaultThresholds: HealthThresholds = { healthyThreshold: 5, unhealthyThreshold: 2 };

export const probeFailures = {
  responseCode: (status: number): ProbeOutcome => ({
    ok: false,
    reason: 'Target.ResponseCodeMismatch',
    description: `Health checks failed with these codes: [${status}]`,
  }),
  timeout: { ok: false, reason: 'Target.Timeout', description: 'Request timed out' } as ProbeOutcome,
  failed: (why?: string): ProbeOutcome => ({
    ok: false,
    reason: 'Target.FailedHealthChecks',
    description: why ? `Health checks failed: ${why}` : 'Health checks failed',
  }),
} as const;

/** A newly registered target: initial until its checks decide. With checks disabled, healthy at once. */
export function registeredTarget(checksEnabled = true): TargetHealthState {
  return checksEnabled
    ? {
        state: 'initial',
        reason: 'Elb.InitialHealthChecking',
        description: 'Initial health checks in progress',
        successes: 0,
        failures: 0,
      }
    : {
        state: 'healthy',
        reason: 'Target.HealthCheckDisabled',
        description: 'Health checks are disabled',
        successes: 0,
        failures: 0,
      };
}

/** Applies one check result. Draining and unused targets are not checked: they are returned as they are. */
export function nextTargetHealth(
  current: TargetHealthState,
  outcome: ProbeOutcome,
  thresholds: HealthThresholds = defaultThresholds,
): TargetHealthState {
  if (current.state === 'draining' || current.state === 'unused' || current.state === 'unavailable')
    return current;
  if (outcome.ok) {
    const successes = current.successes + 1;
    if (current.state !== 'healthy' && successes >= thresholds.healthyThreshold)
      return { state: 'healthy', successes, failures: 0 };
    return { ...current, successes, failures: 0 };
  }
  const failures = current.failures + 1;
  if (current.state === 'unhealthy' || failures >= thresholds.unhealthyThreshold)
    return {
      state: 'unhealthy',
      reason: outcome.reason,
      description: outcome.description,
      successes: 0,
      failures,
    };
  return { ...current, successes: 0, failures };
}

/** Deregistration: the target gets no new requests; requests in flight may finish. */
export function drainingTarget(): TargetHealthState {
  return {
    state: 'draining',
    reason: 'Target.DeregistrationInProgress',
    description: 'Target deregistration is in progress',
    successes: 0,
    failures: 0,
  };
}

/** What DescribeTargetHealth says of a target that is not (any more) registered. */
export function unusedTarget(): TargetHealthState {
  return {
    state: 'unused',
    reason: 'Target.NotRegistered',
    description: 'Target is not registered to the target group',
    successes: 0,
    failures: 0,
  };
}

/**
 * Whether a draining target is done: the deregistration delay has passed since draining began, or
 * (ELB's early completion) every load balancer in front of it reports no request or connection in
 * flight. `idle` undefined means nobody can tell, so only the delay counts.
 */
export function drainComplete(args: {
  readonly drainingSince: number;
  readonly deregistrationDelayMs: number;
  readonly now: number;
  readonly idle?: boolean;
}): boolean {
  return args.now >= args.drainingSince + args.deregistrationDelayMs || args.idle === true;
}
