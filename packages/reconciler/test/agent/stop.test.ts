import type { Task } from '@baton-ecs/model';
import { describe, expect, it } from 'vitest';
import { agentStoppedReasons, type StopContainerAction } from '../../src/agent/index.js';
import {
  applyUpdates,
  def,
  exited,
  observed,
  reconcile,
  running,
  T0,
  task,
  taskDef,
  tdMap,
  types,
} from './helpers.js';

describe('reconcileInstance: stopping a task', () => {
  // proxy → app → db: stop proxy first, db last.
  const td = taskDef([
    def('db', { stopTimeout: 5 }),
    def('app', { stopTimeout: 3, dependsOn: [{ containerName: 'db', condition: 'START' }] }),
    def('proxy', {
      essential: false,
      stopTimeout: 1,
      dependsOn: [{ containerName: 'app', condition: 'START' }],
    }),
  ]);
  const runningTask = (over: Partial<Task> = {}): Task => ({
    ...task(td),
    lastStatus: 'RUNNING',
    startedAt: T0,
    ...over,
  });

  it('an essential exit stops the task: DEACTIVATING, then each container in reverse dependency order', () => {
    const t = runningTask();
    const r1 = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [exited(t, 'db', T0, T0 + 100, 1), running(t, 'app', T0), running(t, 'proxy', T0)],
      now: T0 + 200,
    });
    expect(r1.actions).toEqual([]);
    expect(r1.requeueAfterMs).toBe(0);
    expect(r1.taskUpdates[0]?.changes).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'DEACTIVATING',
      stopCode: 'EssentialContainerExited',
      stoppedReason: agentStoppedReasons.essentialExited,
      stoppingAt: T0 + 200,
    });
    const t2 = applyUpdates([t], r1);
    const r2 = reconcile({
      tasks: t2,
      taskDefinitions: tdMap(td),
      observed: [exited(t, 'db', T0, T0 + 100, 1), running(t, 'app', T0), running(t, 'proxy', T0)],
      now: T0 + 300,
    });
    expect(r2.actions).toEqual([
      {
        type: 'StopContainer',
        containerId: 'id-t1-proxy',
        timeoutSeconds: 1,
        reason: 'task-stopping',
        taskArn: t.taskArn,
        containerName: 'proxy',
      },
    ]);
    expect(r2.taskUpdates[0]?.changes.lastStatus).toBe('STOPPING');
    const t3 = applyUpdates(t2, r2);
    const r3 = reconcile({
      tasks: t3,
      taskDefinitions: tdMap(td),
      observed: [
        exited(t, 'db', T0, T0 + 100, 1),
        running(t, 'app', T0),
        exited(t, 'proxy', T0, T0 + 400, 143),
      ],
      now: T0 + 500,
    });
    expect((r3.actions as StopContainerAction[]).map((a) => [a.containerName, a.timeoutSeconds])).toEqual([
      ['app', 3],
    ]);
    const r4 = reconcile({
      tasks: applyUpdates(t3, r3),
      taskDefinitions: tdMap(td),
      observed: [
        exited(t, 'db', T0, T0 + 100, 1),
        exited(t, 'app', T0, T0 + 600, 143),
        exited(t, 'proxy', T0, T0 + 400, 143),
      ],
      now: T0 + 700,
    });
    expect(r4.actions).toEqual([]);
    expect(r4.taskUpdates[0]?.changes).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedAt: T0 + 700,
      executionStoppedAt: T0 + 700,
    });
    expect(r4.taskUpdates[0]?.changes.containers?.map((c) => [c.name, c.lastStatus, c.exitCode])).toEqual([
      ['db', 'STOPPED', 1],
      ['app', 'STOPPED', 143],
      ['proxy', 'STOPPED', 143],
    ]);
  });

  it('a non-essential exit leaves the task RUNNING', () => {
    const t = runningTask();
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'db', T0), running(t, 'app', T0), exited(t, 'proxy', T0, T0 + 100, 1)],
      now: T0 + 200,
    });
    expect(r.actions).toEqual([]);
    expect(r.taskUpdates[0]?.changes.lastStatus).toBeUndefined();
    expect(r.taskUpdates[0]?.changes.containers?.[2]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 1 });
  });

  it('desiredStatus STOPPED keeps the stopCode it was given and stops leaves first', () => {
    const t = runningTask({
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'by me',
      lastStatus: 'DEACTIVATING',
    });
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'db', T0), running(t, 'app', T0), running(t, 'proxy', T0)],
      now: T0 + 200,
    });
    expect(types(r)).toEqual(['StopContainer']);
    expect(r.taskUpdates[0]?.changes).toMatchObject({ lastStatus: 'STOPPING', stoppingAt: T0 + 200 });
    expect(r.taskUpdates[0]?.changes.stopCode).toBeUndefined();
  });

  it('a task stopped before anything started goes straight to STOPPED', () => {
    const t = task(td, 't1', { desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' });
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: [observed(t, 'db')] });
    expect(r.actions).toEqual([]);
    expect(r.taskUpdates[0]?.changes).toMatchObject({ lastStatus: 'STOPPED', stoppedAt: T0 });
    expect(r.taskUpdates[0]?.changes.executionStoppedAt).toBeUndefined();
  });

  it('removes a stopped task’s containers after the cleanup wait, and stops any still running', () => {
    const t = runningTask({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: T0 });
    const obs = [exited(t, 'db', T0 - 100, T0, 0), running(t, 'app', T0 - 100), observed(t, 'proxy')];
    const settings = { imagePullBehavior: 'prefer-cached' as const, taskCleanupWaitMs: 60_000 };
    const early = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: obs,
      now: T0 + 1000,
      settings,
    });
    expect(early.actions).toEqual([
      {
        type: 'StopContainer',
        containerId: 'id-t1-app',
        timeoutSeconds: 2,
        reason: 'task-stopped',
        taskArn: t.taskArn,
        containerName: 'app',
      },
    ]);
    expect(early.requeueAfterMs).toBe(59_000);
    expect(early.taskUpdates).toEqual([]);
    const late = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: obs,
      now: T0 + 60_000,
      settings,
    });
    expect(late.actions.map((a) => [a.type, 'containerName' in a ? a.containerName : ''])).toEqual([
      ['RemoveContainer', 'db'],
      ['StopContainer', 'app'],
      ['RemoveContainer', 'proxy'],
    ]);
  });

  it('a lost essential container (removed behind the agent’s back) stops the task', () => {
    const t = runningTask();
    const withIds = {
      ...t,
      containers: t.containers.map((c) => ({
        ...c,
        runtimeId: `id-t1-${c.name}`,
        startedAt: T0,
        lastStatus: 'RUNNING' as const,
      })),
    };
    const r = reconcile({
      tasks: [withIds],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'app', T0), running(t, 'proxy', T0)],
      now: T0 + 100,
    });
    expect(r.taskUpdates[0]?.changes).toMatchObject({
      stopCode: 'EssentialContainerExited',
      lastStatus: 'DEACTIVATING',
    });
    expect(r.taskUpdates[0]?.changes.containers?.[0]).toMatchObject({
      lastStatus: 'STOPPED',
      reason: 'CannotInspectContainerError: the container was removed from the engine',
    });
  });
});

describe('reconcileInstance: restart policy', () => {
  const policy = { enabled: true, ignoredExitCodes: [42], restartAttemptPeriod: 10 };
  const td = taskDef([def('main'), def('side', { essential: false, restartPolicy: policy })]);
  const t: Task = { ...task(td), lastStatus: 'RUNNING', startedAt: T0 };
  const run = (side: ReturnType<typeof exited>, now = T0 + 60_000) =>
    reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: [running(t, 'main', T0), side], now });

  it('restarts in place a container that ran at least restartAttemptPeriod', () => {
    const r = run(exited(t, 'side', T0, T0 + 10_000, 1));
    expect(r.actions).toEqual([
      {
        type: 'StartContainer',
        taskArn: t.taskArn,
        containerName: 'side',
        containerId: 'id-t1-side',
        restart: true,
      },
    ]);
  });

  it('does not restart one that exited sooner, nor an ignored exit code, nor after a failed restart', () => {
    expect(run(exited(t, 'side', T0, T0 + 9_999, 1)).actions).toEqual([]);
    expect(run(exited(t, 'side', T0, T0 + 20_000, 42)).actions).toEqual([]);
    const failed = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'main', T0), exited(t, 'side', T0, T0 + 20_000, 1)],
      outcomes: [
        {
          action: 'StartContainer',
          taskArn: t.taskArn,
          containerName: 'side',
          ok: false,
          at: T0 + 20_500,
          message: 'x',
        },
      ],
      now: T0 + 21_000,
    });
    expect(failed.actions).toEqual([]);
  });

  it('counts a restart when the engine shows a later start than the record', () => {
    const recorded = { ...t, containers: t.containers.map((c) => ({ ...c, startedAt: T0 })) };
    const r = reconcile({
      tasks: [recorded],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'main', T0), running(t, 'side', T0 + 30_000)],
      now: T0 + 31_000,
    });
    expect(r.taskUpdates[0]?.changes.containers?.[1]).toMatchObject({
      restartCount: 1,
      startedAt: T0 + 30_000,
    });
  });

  it('an essential container with a restart policy is restarted instead of stopping the task', () => {
    const td2 = taskDef([def('main', { restartPolicy: policy })]);
    const t2: Task = { ...task(td2), lastStatus: 'RUNNING' };
    const r = reconcile({
      tasks: [t2],
      taskDefinitions: tdMap(td2),
      observed: [exited(t2, 'main', T0, T0 + 10_000, 1)],
      now: T0 + 10_500,
    });
    expect(types(r)).toEqual(['StartContainer']);
    expect(r.taskUpdates[0]?.changes.desiredStatus).toBeUndefined();
    const early = reconcile({
      tasks: [t2],
      taskDefinitions: tdMap(td2),
      observed: [exited(t2, 'main', T0, T0 + 1000, 1)],
      now: T0 + 1500,
    });
    expect(early.taskUpdates[0]?.changes.stopCode).toBe('EssentialContainerExited');
  });
});
