import { delay, finalize, NEVER, type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  defaultHealthCheck,
  type HealthCheckSpec,
  HealthMonitor,
  type ProbeOutcome,
  type ProbeTarget,
  probeFailures,
  type TargetHealthChange,
} from '../src/index.js';

const check: HealthCheckSpec = {
  protocol: 'HTTP',
  path: '/health',
  matcher: '200',
  intervalMs: 1000,
  timeoutMs: 500,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
};

/** Virtual time: run every action due up to `t`. */
function advanceTo(s: TestScheduler, t: number): void {
  s.maxFrames = t;
  s.flush();
}

function setup(behaviour: (target: ProbeTarget, at: number) => Observable<ProbeOutcome>, concurrency = 32) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const log: { at: number; target: number }[] = [];
  const monitor = new HealthMonitor({
    scheduler,
    concurrency,
    probe: (target) => {
      log.push({ at: scheduler.now(), target: target.port });
      return behaviour(target, scheduler.now());
    },
  });
  const changes: (TargetHealthChange & { at: number })[] = [];
  monitor.changes.subscribe((c) => changes.push({ ...c, at: scheduler.now() }));
  return { scheduler, monitor, log, changes };
}

describe('HealthMonitor (virtual time)', () => {
  it('checks each target every interval and reports state changes only', () => {
    const { scheduler, monitor, log, changes } = setup(() => of({ ok: true } as ProbeOutcome));
    monitor.upsert('a', { host: '127.0.0.1', port: 1, check });
    advanceTo(scheduler, 3500);
    expect(log.map((l) => l.at)).toEqual([0, 1000, 2000, 3000]);
    expect(changes.map((c) => [c.at, c.health.state])).toEqual([[0, 'healthy']]);
    expect(monitor.get('a')?.state).toBe('healthy');
  });

  // ELB: a new target "must pass one health check to be considered healthy"; HealthyThresholdCount
  // (default 5) is for a target that was unhealthy
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
  it('with ELB defaults (30 s, 5 passes) a new target is healthy after its first check; a recovering one after 5', () => {
    let failing = false;
    const { scheduler, monitor, changes } = setup(() =>
      of(failing ? probeFailures.failed('ECONNRESET') : ({ ok: true } as ProbeOutcome)).pipe(
        delay(5, scheduler),
      ),
    );
    monitor.upsert('a', { host: '127.0.0.1', port: 1, check: defaultHealthCheck });
    advanceTo(scheduler, 29_999);
    expect(changes.map((c) => [c.at, c.health.state])).toEqual([[5, 'healthy']]);
    failing = true;
    advanceTo(scheduler, 89_999);
    failing = false;
    advanceTo(scheduler, 300_000);
    expect(changes.map((c) => [c.at, c.health.state, c.health.description, c.health.detail])).toEqual([
      [5, 'healthy', undefined, undefined],
      [60_005, 'unhealthy', 'Health checks failed', 'ECONNRESET'],
      // Passes at 90, 120, 150, 180 and 210 s: the fifth makes it healthy.
      [210_005, 'healthy', undefined, undefined],
    ]);
  });

  it('times a slow check out on the scheduler (Target.Timeout) and turns the target unhealthy', () => {
    const { scheduler, monitor, changes } = setup(() => NEVER);
    monitor.upsert('a', { host: '127.0.0.1', port: 1, check });
    advanceTo(scheduler, 1600);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ at: 1500, health: { state: 'unhealthy', reason: 'Target.Timeout' } });
  });

  it('a target whose endpoint starts failing goes healthy → unhealthy, then back', () => {
    let failing = false;
    const { scheduler, monitor, changes } = setup(() =>
      of(failing ? probeFailures.responseCode(404) : ({ ok: true } as ProbeOutcome)).pipe(
        delay(10, scheduler),
      ),
    );
    monitor.upsert('a', { host: '127.0.0.1', port: 1, check });
    advanceTo(scheduler, 1999);
    failing = true;
    advanceTo(scheduler, 3999);
    failing = false;
    advanceTo(scheduler, 6000);
    expect(changes.map((c) => [c.at, c.health.state, c.health.reason])).toEqual([
      [10, 'healthy', undefined],
      [3010, 'unhealthy', 'Target.ResponseCodeMismatch'],
      [5010, 'healthy', undefined],
    ]);
  });

  it('bounds checks in flight: 100 targets, concurrency 10, every target checked each interval', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    let inFlight = 0;
    let most = 0;
    const monitor = new HealthMonitor({
      scheduler,
      concurrency: 10,
      probe: () => {
        inFlight++;
        most = Math.max(most, inFlight);
        return of({ ok: true } as ProbeOutcome).pipe(
          delay(50, scheduler),
          finalize(() => inFlight--),
        );
      },
    });
    for (let i = 0; i < 100; i++) monitor.upsert(`t${i}`, { host: '127.0.0.1', port: i, check });
    advanceTo(scheduler, 10_000);
    expect(most).toBe(10);
    // 100 targets × 50 ms / 10 slots = 500 ms a round, within the 1 s interval: 10 checks each.
    expect(monitor.checks).toBeGreaterThanOrEqual(100 * 9);
    expect(monitor.checks).toBeLessThanOrEqual(100 * 11);
    // Timers pending: the monitor's one, plus a delay and a timeout per check in flight — never one per target.
    expect(scheduler.actions.length).toBeLessThanOrEqual(1 + 2 * 10);
    monitor.stop();
  });

  it('keeps state across an unchanged upsert, resets when the address changes; removal stops checks', () => {
    const { scheduler, monitor, log } = setup(() => of({ ok: true } as ProbeOutcome));
    monitor.upsert('a', { host: '127.0.0.1', port: 1, check });
    advanceTo(scheduler, 1500);
    expect(monitor.get('a')?.state).toBe('healthy');
    monitor.upsert('a', { host: '127.0.0.1', port: 1, check });
    expect(monitor.get('a')?.state).toBe('healthy');
    monitor.upsert('a', {
      host: '127.0.0.1',
      port: 2,
      check,
      initial: { state: 'initial', successes: 0, failures: 0 },
    });
    expect(monitor.get('a')?.state).toBe('initial');
    monitor.remove('a');
    const before = log.length;
    advanceTo(scheduler, 5000);
    expect(log.length).toBe(before);
  });
});
