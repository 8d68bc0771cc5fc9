import { arns } from '@baton-ecs/model';
import { describe, expect, it } from 'vitest';
import { containerLabels } from '../../src/agent/index.js';
import { def, exited, observed, reconcile, running, T0, task, taskDef, tdMap, types } from './helpers.js';

describe('reconcileInstance: adoption and orphans', () => {
  const td = taskDef([def('app')]);
  const t = { ...task(td), lastStatus: 'RUNNING' as const, startedAt: T0 };

  it('adopts a running container of a known task: no create, no start, no duplicate', () => {
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'app', T0)],
      now: T0 + 1,
    });
    expect(r.actions).toEqual([]);
  });

  it('stops, then removes, a labelled container whose task is gone', () => {
    const gone = task(td, 'gone');
    const stop = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'app', T0), running(gone, 'app', T0)],
    });
    expect(stop.actions).toEqual([
      {
        type: 'StopContainer',
        containerId: 'id-gone-app',
        timeoutSeconds: 2,
        reason: 'orphan',
        taskArn: gone.taskArn,
        containerName: 'app',
      },
    ]);
    const remove = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'app', T0), exited(gone, 'app', T0, T0, 0)],
    });
    expect(remove.actions).toEqual([
      {
        type: 'RemoveContainer',
        containerId: 'id-gone-app',
        reason: 'orphan',
        taskArn: gone.taskArn,
        containerName: 'app',
      },
    ]);
  });

  it('never touches unlabelled containers, nor those of another cluster or instance', () => {
    const other = task(td, 'x', { clusterArn: arns.cluster('other') });
    const otherCluster = {
      ...observed(other, 'app', { state: 'running', startedAt: T0 }),
      labels: containerLabels(
        {
          ...other,
          taskArn: arns.task('other', 'x'),
          containerInstanceArn: arns.containerInstance('other', 'i-1'),
        },
        'app',
        2,
      ),
    };
    const otherInstance = {
      ...observed(task(td, 'y'), 'app', { state: 'running' }),
      labels: containerLabels(
        { ...task(td, 'y'), containerInstanceArn: arns.containerInstance('c1', 'i-2') },
        'app',
        2,
      ),
    };
    const unlabelled = {
      ...observed(t, 'app', { state: 'running' }),
      id: 'plain',
      name: 'plain',
      labels: { team: 'x' },
    };
    const r = reconcile({
      tasks: [],
      taskDefinitions: tdMap(td),
      observed: [otherCluster, otherInstance, unlabelled],
    });
    expect(r.actions).toEqual([]);
  });

  it('removes a duplicate of a task container, keeping the one with the deterministic name', () => {
    const canonical = running(t, 'app', T0);
    const twin = { ...exited(t, 'app', T0, T0, 0), id: 'aaa-twin', name: 'someone-else' };
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: [twin, canonical], now: T0 + 1 });
    expect(r.actions).toEqual([
      {
        type: 'RemoveContainer',
        containerId: 'aaa-twin',
        reason: 'duplicate',
        taskArn: t.taskArn,
        containerName: 'app',
      },
    ]);
  });

  it('ignores tasks of other instances and fails a task whose definition is missing', () => {
    const elsewhere = task(td, 'e', { containerInstanceArn: arns.containerInstance('c1', 'i-9') });
    expect(reconcile({ tasks: [elsewhere], taskDefinitions: tdMap(td) }).taskUpdates).toEqual([]);
    const r = reconcile({ tasks: [t], taskDefinitions: new Map(), observed: [running(t, 'app', T0)] });
    expect(types(r)).toEqual(['StopContainer']);
    expect(r.taskUpdates[0]?.changes).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPING',
      stopCode: 'TaskFailedToStart',
    });
  });
});
