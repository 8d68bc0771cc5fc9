import { describe, expect, it } from 'vitest';
import { applyUpdates, def, reconcile, running, T0, task, taskDef, tdMap } from './helpers.js';

const tg = 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/web/0123456789abcdef';
const td = taskDef([def('web', { portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }] })]);

describe('load-balancer holds', () => {
  it('a task waiting for registration stays ACTIVATING, then RUNNING once the hold is gone', () => {
    const t = task(td, 't1', { lastStatus: 'PENDING', activationHolds: [tg] });
    const r1 = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'web', T0)],
      now: T0,
    });
    expect(r1.taskUpdates[0]?.changes.lastStatus).toBe('ACTIVATING');
    expect(r1.taskUpdates[0]?.changes.startedAt).toBeUndefined();
    const [held] = applyUpdates([t], r1);
    const released = { ...held!, activationHolds: [], deactivationHolds: [tg] };
    const r2 = reconcile({
      tasks: [released],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'web', T0)],
      now: T0 + 50,
    });
    expect(r2.taskUpdates[0]?.changes).toMatchObject({ lastStatus: 'RUNNING', startedAt: T0 + 50 });
  });

  it('a registered task stays DEACTIVATING, sending no signal, until its targets have drained', () => {
    const t = task(td, 't1', {
      lastStatus: 'RUNNING',
      startedAt: T0,
      desiredStatus: 'STOPPED',
      stoppingAt: T0 + 1000,
      deactivationHolds: [tg],
    });
    const observed = [running(t, 'web', T0)];
    const r1 = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed, now: T0 + 1000 });
    expect(r1.taskUpdates[0]?.changes.lastStatus).toBe('DEACTIVATING');
    const t2 = applyUpdates([t], r1);
    const r2 = reconcile({ tasks: t2, taskDefinitions: tdMap(td), observed, now: T0 + 2000 });
    expect(r2.actions).toEqual([]);
    expect(r2.taskUpdates).toEqual([]);
    // Woken at the safety deadline at the latest (61 min by default).
    expect(r2.requeueAfterMs).toBe(3_660_000 - 1000);
    const drained = t2.map((x) => ({ ...x, deactivationHolds: [] }));
    const r3 = reconcile({ tasks: drained, taskDefinitions: tdMap(td), observed, now: T0 + 3000 });
    expect(r3.actions.map((a) => a.type)).toEqual(['StopContainer']);
    expect(r3.taskUpdates[0]?.changes.lastStatus).toBe('STOPPING');
  });

  it('a hold nobody releases gives way after maxDeactivationHoldMs', () => {
    const t = task(td, 't1', {
      lastStatus: 'DEACTIVATING',
      startedAt: T0,
      desiredStatus: 'STOPPED',
      stoppingAt: T0,
      deactivationHolds: [tg],
    });
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'web', T0)],
      now: T0 + 10_000,
      settings: { maxDeactivationHoldMs: 10_000 },
    });
    expect(r.actions.map((a) => a.type)).toEqual(['StopContainer']);
  });

  it('a task with nothing running stops at once, holds or not', () => {
    const t = task(td, 't1', { lastStatus: 'PENDING', desiredStatus: 'STOPPED', deactivationHolds: [tg] });
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: [], now: T0 });
    expect(r.taskUpdates[0]?.changes.lastStatus).toBe('STOPPED');
  });
});
