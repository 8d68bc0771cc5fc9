import { describe, expect, it } from 'vitest';
import {
  drainComplete,
  nextTargetHealth,
  type ProbeOutcome,
  probeFailures,
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
  it('starts initial, turns healthy after healthyThreshold consecutive passes', () => {
    expect(registeredTarget()).toMatchObject({ state: 'initial', reason: 'Elb.InitialHealthChecking' });
    expect(run([pass, pass, pass]).map((s) => s.state)).toEqual(['initial', 'initial', 'healthy']);
    // A failure resets the run of passes.
    expect(run([pass, pass, fail, pass, pass, pass]).map((s) => s.state)).toEqual([
      'initial',
      'initial',
      'initial',
      'initial',
      'initial',
      'healthy',
    ]);
  });

  it('turns unhealthy after unhealthyThreshold consecutive failures, with ELB reason and description', () => {
    const states = run([pass, pass, pass, fail, fail]);
    expect(states.map((s) => s.state)).toEqual(['initial', 'initial', 'healthy', 'healthy', 'unhealthy']);
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
