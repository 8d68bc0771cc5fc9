import { type Service, Task } from '@baton-ecs/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { launchBackoffCapMs, launchBackoffMs, launchThrottle } from '../../src/index.js';

/**
 * ECS's service throttle logic (developer guide, service-throttle-logic.html):
 * the back-off grows with consecutive launch failures, stays at its cap while
 * they go on, and a new task definition returns the service to normal. The
 * state lives in the service, so it survives the retention of STOPPED tasks.
 */
const td1 = 'arn:aws:ecs:local:000000000000:task-definition/web:1';
const td2 = 'arn:aws:ecs:local:000000000000:task-definition/web:2';
const service = { serviceName: 'web' } as Service;

let n = 0;
function failed(at: number, taskDefinitionArn = td1): Task {
  return Task.parse({
    taskArn: `arn:aws:ecs:local:000000000000:task/default/t${++n}`,
    clusterArn: 'arn:aws:ecs:local:000000000000:cluster/default',
    taskDefinitionArn,
    desiredStatus: 'STOPPED',
    lastStatus: 'STOPPED',
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: not found',
    createdAt: at - 1000,
    stoppedAt: at,
  });
}
function started(at: number, taskDefinitionArn = td1): Task {
  return Task.parse({
    taskArn: `arn:aws:ecs:local:000000000000:task/default/t${++n}`,
    clusterArn: 'arn:aws:ecs:local:000000000000:cluster/default',
    taskDefinitionArn,
    lastStatus: 'RUNNING',
    createdAt: at - 1000,
    startedAt: at,
  });
}

describe('launch throttling keeps its state with the service', () => {
  it('a property: failures keep counting, whichever STOPPED tasks are still retained', () => {
    fc.assert(
      fc.property(
        // Each pass: how many new launch failures, and how many of the oldest retained tasks are forgotten after it.
        fc.array(fc.record({ failures: fc.integer({ min: 0, max: 2 }), forget: fc.nat(3) }), {
          minLength: 1,
          maxLength: 30,
        }),
        (passes) => {
          let state: Service['launchThrottle'];
          let retained: Task[] = [];
          let now = Date.UTC(2024, 0, 1);
          let total = 0;
          let lastFailureAt = 0;
          for (const p of passes) {
            now += 60_000;
            for (let i = 0; i < p.failures; i++) {
              retained.push(failed(now + i));
              total++;
              lastFailureAt = now + i;
            }
            state = launchThrottle(
              { ...service, ...(state ? { launchThrottle: state } : {}) },
              td1,
              retained,
            );
            // The oldest STOPPED tasks leave their retention window after the pass that saw them.
            retained = retained.slice(Math.min(p.forget, retained.length));
            if (total === 0) expect(state).toBeUndefined();
            else {
              expect(state?.consecutiveFailures).toBe(total);
              expect(state?.nextLaunchAt).toBe(lastFailureAt + launchBackoffMs(total));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays at the cap while the service keeps failing, after every old task is gone', () => {
    let state: Service['launchThrottle'];
    let at = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 40; i++) {
      at += launchBackoffMs(i) + 2_000;
      // Only the newest failure is retained.
      state = launchThrottle({ ...service, ...(state ? { launchThrottle: state } : {}) }, td1, [failed(at)]);
    }
    expect(state?.consecutiveFailures).toBe(40);
    expect(state!.nextLaunchAt! - at).toBe(launchBackoffCapMs);
  });

  it('a task that reaches RUNNING ends the run; a new task definition resets it', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const three = launchThrottle(service, td1, [
      failed(t0 + 1_000),
      failed(t0 + 20_000),
      failed(t0 + 60_000),
    ]);
    expect(three?.consecutiveFailures).toBe(3);
    const afterStart = launchThrottle({ ...service, launchThrottle: three! }, td1, [started(t0 + 70_000)]);
    expect(afterStart).toBeUndefined();
    // The next deployment's task definition: the old revision's state does not carry over.
    expect(launchThrottle({ ...service, launchThrottle: three! }, td2, [])).toBeUndefined();
    const fresh = launchThrottle({ ...service, launchThrottle: three! }, td2, [failed(t0 + 80_000, td2)]);
    expect(fresh?.consecutiveFailures).toBe(1);
  });

  it('tasks that failed at the same moment and are reported one per pass each count once', () => {
    // Planted bug this catches: the plain watermark (the second and third reports share the first's
    // stoppedAt, so they were skipped and the service backed off as if one task had failed).
    const at = Date.UTC(2024, 0, 1);
    const tasks = [failed(at), failed(at), failed(at)];
    let state: Service['launchThrottle'];
    for (let reported = 1; reported <= 3; reported++) {
      state = launchThrottle(
        { ...service, ...(state ? { launchThrottle: state } : {}) },
        td1,
        tasks.slice(0, reported),
      );
      expect(state?.consecutiveFailures).toBe(reported);
    }
    // Seen again, nothing more is counted.
    state = launchThrottle({ ...service, launchThrottle: state! }, td1, tasks);
    expect(state?.consecutiveFailures).toBe(3);
    expect(state?.nextLaunchAt).toBe(at + launchBackoffMs(3));
  });

  it('a property: events reported late (within the window) count as if reported in time order', () => {
    fc.assert(
      fc.property(
        // The true timeline: each event a start or a failure, seconds apart, and how many passes late
        // its report reaches the store (a pass every 10 s, so at most 60 s late).
        fc.array(
          fc.record({ failed: fc.boolean(), gapS: fc.integer({ min: 0, max: 20 }), lateBy: fc.nat(6) }),
          { minLength: 1, maxLength: 25 },
        ),
        (timeline) => {
          const t0 = Date.UTC(2024, 0, 1);
          let at = t0;
          const events = timeline.map((e) => {
            at += e.gapS * 1000;
            return { ...e, at, task: e.failed ? failed(at) : started(at) };
          });
          // Each pass sees the tasks whose report has arrived by then.
          let state: Service['launchThrottle'];
          const lastPass = Math.ceil((at - t0) / 10_000) + 7;
          for (let pass = 0; pass <= lastPass; pass++) {
            const now = t0 + pass * 10_000;
            const reported = events.filter((e) => e.at + e.lateBy * 10_000 <= now).map((e) => e.task);
            state = launchThrottle(
              { ...service, ...(state ? { launchThrottle: state } : {}) },
              td1,
              reported,
            );
          }
          // Once everything is reported: the failures after the last start, in true time order.
          let expected = 0;
          let lastFailureAt = 0;
          for (const e of [...events].sort((a, b) => a.at - b.at || Number(a.failed) - Number(b.failed))) {
            if (e.failed) {
              expected++;
              lastFailureAt = e.at;
            } else expected = 0;
          }
          if (expected === 0) expect(state).toBeUndefined();
          else {
            expect(state?.consecutiveFailures).toBe(expected);
            expect(state?.nextLaunchAt).toBe(lastFailureAt + launchBackoffMs(expected));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
