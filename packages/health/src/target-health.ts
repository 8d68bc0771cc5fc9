import type { TargetState } from '@baton-ecs/model';

/**
 * A target's health as a pure state machine (ELB's): `initial` on registration, `healthy` after ONE
 * passing check ("After your target is registered, it must pass one health check to be considered
 * healthy" —
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html),
 * `unhealthy` after `unhealthyThreshold` consecutive failures (from `initial` or `healthy`), back to
 * `healthy` only after `healthyThreshold` consecutive passes (HealthyThresholdCount is "the number of
 * consecutive health checks successes required before considering an UNHEALTHY target healthy" —
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroup.html);
 * `draining` once deregistered, `unused` when it has drained. Reasons and descriptions are ELB's.
 */
export interface TargetHealthState {
  readonly state: TargetState;
  readonly reason?: TargetHealthReason;
  /** ELB's description for the reason, word for word. */
  readonly description?: string;
  /** Baton: what the failed check saw (`ECONNREFUSED`, …); never part of ELB's description. */
  readonly detail?: string;
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
      /** Baton: the socket error or other detail behind the failure. */
      readonly detail?: string;
    };

export interface HealthThresholds {
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** ELB's defaults: 5 passes to turn healthy, 2 failures to turn unhealthy. */
export const defaultThresholds: HealthThresholds = { healthyThreshold: 5, unhealthyThreshold: 2 };

/**
 * ELB's reason descriptions, word for word (the reason-code table of
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-reason-codes).
 */
export const reasonDescriptions = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [code]',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.HealthCheckDisabled': 'Health checks are disabled',
} as const satisfies Record<TargetHealthReason, string>;

export const probeFailures = {
  responseCode: (status: number): ProbeOutcome => ({
    ok: false,
    reason: 'Target.ResponseCodeMismatch',
    description: reasonDescriptions['Target.ResponseCodeMismatch'].replace('[code]', `[${status}]`),
  }),
  timeout: {
    ok: false,
    reason: 'Target.Timeout',
    description: reasonDescriptions['Target.Timeout'],
  } as ProbeOutcome,
  /** ELB says only "Health checks failed"; Baton keeps what it saw (the socket error) in `detail`. */
  failed: (why?: string): ProbeOutcome => ({
    ok: false,
    reason: 'Target.FailedHealthChecks',
    description: reasonDescriptions['Target.FailedHealthChecks'],
    ...(why ? { detail: why } : {}),
  }),
} as const;

/** A newly registered target: initial until its checks decide. With checks disabled, healthy at once. */
export function registeredTarget(checksEnabled = true): TargetHealthState {
  return checksEnabled
    ? {
        state: 'initial',
        reason: 'Elb.InitialHealthChecking',
        description: reasonDescriptions['Elb.InitialHealthChecking'],
        successes: 0,
        failures: 0,
      }
    : {
        state: 'healthy',
        reason: 'Target.HealthCheckDisabled',
        description: reasonDescriptions['Target.HealthCheckDisabled'],
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
    // A new target needs one pass; an unhealthy one needs HealthyThresholdCount in a row.
    const needed = current.state === 'initial' ? 1 : thresholds.healthyThreshold;
    if (current.state !== 'healthy' && successes >= needed)
      return { state: 'healthy', successes, failures: 0 };
    return { ...current, successes, failures: 0 };
  }
  const failures = current.failures + 1;
  if (current.state === 'unhealthy' || failures >= thresholds.unhealthyThreshold)
    return {
      state: 'unhealthy',
      reason: outcome.reason,
      description: outcome.description,
      ...(outcome.detail ? { detail: outcome.detail } : {}),
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
    description: reasonDescriptions['Target.DeregistrationInProgress'],
    successes: 0,
    failures: 0,
  };
}

/** What DescribeTargetHealth says of a target that is not (any more) registered. */
export function unusedTarget(): TargetHealthState {
  return {
    state: 'unused',
    reason: 'Target.NotRegistered',
    description: reasonDescriptions['Target.NotRegistered'],
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
