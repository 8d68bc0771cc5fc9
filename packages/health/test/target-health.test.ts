import { describe, expect, it } from 'vitest';
import {
  drainComplete,
  nextTargetHealth,
  type ProbeOutcome,
  probeFailures,
  reasonDescriptions,
  registeredTarget,
  type TargetHealthState,
} from '../src/index.js';

const pass: ProbeOutcome = { ok: true };
const fail = probeFailures.responseCode(500);
const run = (
  outcomes: ProbeOutcome[],
  from = registeredTarget(),
  t = { healthyThreshold: 3, unhealthyThreshold: 2 },
) => {
  const states: TargetHealthState[] = [];
  for (const o of outcomes) states.push(nextTargetHealth(states.at(-1) ?? from, o, t));
  return states;
};

describe('target health state machine', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html:
  // "After your target is registered, it must pass one health check to be considered healthy."
  it('a newly registered target is healthy after one passing check, whatever HealthyThresholdCount says', () => {
    expect(registeredTarget()).toMatchObject({ state: 'initial', reason: 'Elb.InitialHealthChecking' });
    expect(run([pass]).map((s) => s.state)).toEqual(['healthy']);
    expect(run([pass], registeredTarget(), { healthyThreshold: 10, unhealthyThreshold: 2 })[0]).toMatchObject(
      {
        state: 'healthy',
      },
    );
    // One failure does not make it unhealthy (UnhealthyThresholdCount 2); the next pass does make it healthy.
    expect(run([fail, pass]).map((s) => s.state)).toEqual(['initial', 'healthy']);
    // Two failures do: from then on HealthyThresholdCount passes are needed.
    expect(run([fail, fail, pass, pass, pass]).map((s) => s.state)).toEqual([
      'initial',
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'healthy',
    ]);
  });

  // API_TargetGroup: HealthyThresholdCount is "the number of consecutive health checks successes
  // required before considering an unhealthy target healthy".
  it('an unhealthy target needs HealthyThresholdCount consecutive passes; a failure resets the run', () => {
    const down = run([fail, fail]).at(-1)!;
    expect(run([pass, pass, fail, pass, pass, pass], down).map((s) => s.state)).toEqual([
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'healthy',
    ]);
  });

  it("descriptions are ELB's words; Baton's detail (the socket error) is a separate field", () => {
    const down = run([probeFailures.failed('ECONNREFUSED'), probeFailures.failed('ECONNREFUSED')]).at(-1)!;
    expect(down).toMatchObject({
      state: 'unhealthy',
      reason: 'Target.FailedHealthChecks',
      description: 'Health checks failed',
      detail: 'ECONNREFUSED',
    });
    expect(reasonDescriptions).toMatchObject({
      'Elb.InitialHealthChecking': 'Initial health checks in progress',
      'Elb.RegistrationInProgress': 'Target registration is in progress',
      'Target.DeregistrationInProgress': 'Target deregistration is in progress',
      'Target.FailedHealthChecks': 'Health checks failed',
      'Target.NotRegistered': 'Target is not registered to the target group',
      'Target.Timeout': 'Request timed out',
    });
    expect(probeFailures.responseCode(502)).toMatchObject({
      description: 'Health checks failed with these codes: [502]',
    });
  });

  it('turns unhealthy after unhealthyThreshold consecutive failures, with ELB reason and description', () => {
    const states = run([pass, fail, fail]);
    expect(states.map((s) => s.state)).toEqual(['healthy', 'healthy', 'unhealthy']);
    expect(states.at(-1)).toMatchObject({
      reason: 'Target.ResponseCodeMismatch',
      description: 'Health checks failed with these codes: [500]',
    });
    // Initial targets fail the same way.
    expect(run([probeFailures.timeout, probeFailures.timeout]).at(-1)).toMatchObject({
      state: 'unhealthy',
      reason: 'Target.Timeout',
      description: 'Request timed out',
    });
  });

  it('recovers after healthyThreshold passes; the latest failure names the reason', () => {
    const down = run([fail, fail, probeFailures.failed('ECONNREFUSED')]).at(-1)!;
    expect(down).toMatchObject({ state: 'unhealthy', reason: 'Target.FailedHealthChecks' });
    expect(run([pass, pass, pass], down).map((s) => s.state)).toEqual(['unhealthy', 'unhealthy', 'healthy']);
  });

  it('draining and unused targets ignore check results; disabled checks make targets healthy at once', () => {
    const draining: TargetHealthState = { state: 'draining', successes: 0, failures: 0 };
    expect(nextTargetHealth(draining, fail)).toBe(draining);
    expect(registeredTarget(false).state).toBe('healthy');
  });

  it('draining completes at the deregistration delay, or earlier when every balancer is idle', () => {
    const d = { drainingSince: 1000, deregistrationDelayMs: 5000 };
    expect(drainComplete({ ...d, now: 5999 })).toBe(false);
    expect(drainComplete({ ...d, now: 6000 })).toBe(true);
    expect(drainComplete({ ...d, now: 2000, idle: true })).toBe(true);
    expect(drainComplete({ ...d, now: 2000, idle: false })).toBe(false);
  });
});
