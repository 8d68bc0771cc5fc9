import type { TaskDefinition } from '@baton-ecs/model';
import { describe, expect, it } from 'vitest';
import {
  batonLabels,
  type CreateContainerAction,
  type CreateVolumeAction,
  containerEngineName,
  type ObservedVolume,
  taskVolumeEngineName,
  volumeStoppedReasons,
} from '../../src/agent/index.js';
import { def, exited, observed, reconcile, running, T0, task, taskDef, tdMap, types } from './helpers.js';

const withVolumes = (td: TaskDefinition, volumes: TaskDefinition['volumes']): TaskDefinition => ({
  ...td,
  volumes,
});
const creates = (r: ReturnType<typeof reconcile>) =>
  r.actions.filter((a): a is CreateContainerAction => a.type === 'CreateContainer');
const volumeCreates = (r: ReturnType<typeof reconcile>) =>
  r.actions.filter((a): a is CreateVolumeAction => a.type === 'CreateVolume');
const asObserved = (a: CreateVolumeAction): ObservedVolume => ({
  name: a.spec.name,
  driver: a.spec.driver,
  options: a.spec.driverOpts,
  labels: a.spec.labels,
});

describe('reconcileInstance: task volumes', () => {
  const mount = (sourceVolume: string, containerPath: string, readOnly = false) => ({
    sourceVolume,
    containerPath,
    readOnly,
  });
  const td = withVolumes(
    taskDef([
      def('writer', { mountPoints: [mount('scratch', '/data')] }),
      def('reader', { mountPoints: [mount('scratch', '/data', true), mount('conf', '/etc/app', true)] }),
    ]),
    [{ name: 'scratch' }, { name: 'conf', host: { sourcePath: '/srv/conf' } }],
  );
  const t = task(td);

  it('creates a task-scoped volume first; containers that mount it wait for it', () => {
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td) });
    expect(types(r)).toEqual(['CreateVolume']);
    const [v] = volumeCreates(r);
    expect(v?.spec).toEqual({
      name: taskVolumeEngineName(t.taskArn, 'scratch'),
      driver: 'local',
      driverOpts: {},
      labels: {
        [batonLabels.cluster]: 'c1',
        [batonLabels.taskArn]: t.taskArn,
        [batonLabels.volumeName]: 'scratch',
        [batonLabels.containerInstance]: t.containerInstanceArn,
      },
    });
  });

  it('once the volume exists, both containers mount it (read-only where asked) and the bind mount', () => {
    const first = volumeCreates(reconcile({ tasks: [t], taskDefinitions: tdMap(td) }));
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td), volumes: first.map(asObserved) });
    expect(types(r)).toEqual(['CreateContainer', 'CreateContainer']);
    const [writer, reader] = creates(r);
    const name = taskVolumeEngineName(t.taskArn, 'scratch');
    expect(writer?.spec.mounts).toEqual([{ type: 'volume', source: name, target: '/data', readOnly: false }]);
    expect(reader?.spec.mounts).toEqual([
      { type: 'volume', source: name, target: '/data', readOnly: true },
      { type: 'bind', source: '/srv/conf', target: '/etc/app', readOnly: true },
    ]);
  });

  it('removes the task-scoped volume only after the stopped task’s containers are gone', () => {
    const vols = volumeCreates(reconcile({ tasks: [t], taskDefinitions: tdMap(td) })).map(asObserved);
    const stopped = {
      ...t,
      lastStatus: 'STOPPED' as const,
      desiredStatus: 'STOPPED' as const,
      stoppedAt: T0,
    };
    const withContainers = reconcile({
      tasks: [stopped],
      taskDefinitions: tdMap(td),
      volumes: vols,
      observed: [exited(t, 'writer', T0 - 10, T0 - 5, 0), exited(t, 'reader', T0 - 10, T0 - 5, 0)],
      now: T0 + 1000,
      settings: { taskCleanupWaitMs: 0 },
    });
    expect(types(withContainers)).toEqual(['RemoveContainer', 'RemoveContainer']);
    const gone = reconcile({ tasks: [stopped], taskDefinitions: tdMap(td), volumes: vols, now: T0 + 2000 });
    expect(gone.actions).toEqual([
      { type: 'RemoveVolume', name: taskVolumeEngineName(t.taskArn, 'scratch'), taskArn: t.taskArn },
    ]);
  });

  it('keeps a running task’s volumes, and never touches volumes it does not own', () => {
    const vols = volumeCreates(reconcile({ tasks: [t], taskDefinitions: tdMap(td) })).map(asObserved);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      volumes: [...vols, { name: 'someone-else', driver: 'local', options: {}, labels: {} }],
      observed: [running(t, 'writer', T0), running(t, 'reader', T0)],
    });
    expect(types(r)).toEqual([]);
  });

  it('a task gone from the store leaves its volume to be removed as an orphan', () => {
    const vols = volumeCreates(reconcile({ tasks: [t], taskDefinitions: tdMap(td) })).map(asObserved);
    expect(reconcile({ tasks: [], taskDefinitions: tdMap(td), volumes: vols }).actions).toEqual([
      { type: 'RemoveVolume', name: taskVolumeEngineName(t.taskArn, 'scratch'), taskArn: t.taskArn },
    ]);
  });
});

describe('reconcileInstance: Docker volumes (dockerVolumeConfiguration)', () => {
  const app = def('app', {
    mountPoints: [{ sourceVolume: 'db', containerPath: '/var/lib/db', readOnly: false }],
  });
  const shared = (autoprovision: boolean) =>
    withVolumes(taskDef([app]), [
      {
        name: 'db',
        dockerVolumeConfiguration: {
          scope: 'shared',
          autoprovision,
          driver: 'local',
          driverOpts: { type: 'tmpfs', device: 'tmpfs' },
          labels: { app: 'db' },
        },
      },
    ]);

  it('a task-scoped Docker volume takes the driver, options and labels', () => {
    const td = withVolumes(taskDef([app]), [
      {
        name: 'db',
        dockerVolumeConfiguration: {
          scope: 'task',
          autoprovision: false,
          driver: 'local',
          driverOpts: { o: 'size=1m' },
        },
      },
    ]);
    const [v] = volumeCreates(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(v?.spec).toMatchObject({ driver: 'local', driverOpts: { o: 'size=1m' } });
    expect(v?.spec.name).toBe(taskVolumeEngineName(task(td).taskArn, 'db'));
  });

  it('a shared volume with autoprovision is created under its own name, without Baton labels', () => {
    const td = shared(true);
    const [v] = volumeCreates(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(v?.spec).toEqual({
      name: 'db',
      driver: 'local',
      driverOpts: { type: 'tmpfs', device: 'tmpfs' },
      labels: { app: 'db' },
    });
  });

  it('an existing shared volume is used as it is and never removed with the task', () => {
    const td = shared(false);
    const vol = {
      name: 'db',
      driver: 'local',
      options: { type: 'tmpfs', device: 'tmpfs' },
      labels: { app: 'db' },
    };
    const t = task(td);
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td), volumes: [vol] });
    expect(creates(r)[0]?.spec.mounts).toEqual([
      { type: 'volume', source: 'db', target: '/var/lib/db', readOnly: false },
    ]);
    const stopped = { ...t, lastStatus: 'STOPPED' as const, desiredStatus: 'STOPPED' as const };
    expect(reconcile({ tasks: [stopped], taskDefinitions: tdMap(td), volumes: [vol] }).actions).toEqual([]);
  });

  it('a missing shared volume without autoprovision fails the task, naming it', () => {
    const td = shared(false);
    const r = reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) });
    expect(r.actions).toEqual([]);
    expect(r.taskUpdates[0]?.changes).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: volumeStoppedReasons.missing('db'),
    });
    expect(volumeStoppedReasons.missing('db')).toBe(
      "CannotCreateVolumeError: volume 'db' does not exist and autoprovision is set to false",
    );
  });

  it('a shared volume that exists with other settings fails the task, naming the volume and the difference', () => {
    const td = shared(true);
    const r = reconcile({
      tasks: [task(td)],
      taskDefinitions: tdMap(td),
      volumes: [{ name: 'db', driver: 'local', options: {}, labels: { app: 'db' } }],
    });
    expect(r.taskUpdates[0]?.changes.stoppedReason).toBe(
      `CannotCreateVolumeError: shared volume 'db' exists with different driverOpts: existing {}, expected {"type":"tmpfs","device":"tmpfs"}`,
    );
  });

  it('a volume the engine refused to create fails the task with its message', () => {
    const td = shared(true);
    const t = task(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      outcomes: [
        {
          action: 'CreateVolume',
          taskArn: t.taskArn,
          containerName: 'db',
          ok: false,
          at: T0,
          message: 'plugin "x" not found',
        },
      ],
    });
    expect(r.taskUpdates[0]?.changes.stoppedReason).toBe(
      `CannotCreateVolumeError: volume 'db': plugin "x" not found`,
    );
  });

  it('EFS volumes (AWS-only) are not mounted and do not hold the task', () => {
    const td = withVolumes(taskDef([app]), [
      { name: 'db', efsVolumeConfiguration: { fileSystemId: 'fs-1' } } as NonNullable<
        TaskDefinition['volumes']
      >[number],
    ]);
    const r = reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) });
    expect(types(r)).toEqual(['CreateContainer']);
    expect(creates(r)[0]?.spec.mounts).toBeUndefined();
  });
});

describe('reconcileInstance: volumesFrom', () => {
  const td = taskDef([
    def('app', { essential: true }),
    def('sidecar', { volumesFrom: [{ sourceContainer: 'app', readOnly: true }] }),
  ]);
  const t = task(td);

  it('waits for the source container to exist, then mounts its volumes read-only', () => {
    expect(
      creates(reconcile({ tasks: [t], taskDefinitions: tdMap(td) })).map((c) => c.containerName),
    ).toEqual(['app']);
    const r = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: [observed(t, 'app')] });
    const sidecar = creates(r).find((c) => c.containerName === 'sidecar');
    expect(sidecar?.spec.volumesFrom).toEqual([
      { container: containerEngineName(t.taskArn, 'app'), readOnly: true },
    ]);
  });
});

describe('reconcileInstance: links', () => {
  const td = taskDef([def('web', { links: ['db:database'] }), def('db')]);
  const t = task(td);

  it('a linked container starts first (Docker needs it running), as ECS orders them', () => {
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, 'web'), observed(t, 'db')],
    });
    expect(r.actions.map((a) => `${a.type}:${'containerName' in a ? a.containerName : ''}`)).toEqual([
      'StartContainer:db',
    ]);
    const next = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, 'web'), running(t, 'db', T0)],
    });
    expect(next.actions.map((a) => `${a.type}:${'containerName' in a ? a.containerName : ''}`)).toEqual([
      'StartContainer:web',
    ]);
  });

  it('the linking container stops before the one it links to', () => {
    const stopping = {
      ...t,
      desiredStatus: 'STOPPED' as const,
      lastStatus: 'STOPPING' as const,
      stoppingAt: T0,
    };
    const r = reconcile({
      tasks: [stopping],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'web', T0), running(t, 'db', T0)],
    });
    expect(r.actions.map((a) => `${a.type}:${'containerName' in a ? a.containerName : ''}`)).toEqual([
      'StopContainer:web',
    ]);
  });
});

describe('containerSpec: links', () => {
  it('become Docker links to the engine names, with the alias (or the name) they are known by', () => {
    const td = taskDef([def('web', { links: ['db:database', 'cache'] }), def('db'), def('cache')]);
    const t = task(td);
    // Docker resolves links at create time: the linked containers are created first.
    expect(
      creates(reconcile({ tasks: [t], taskDefinitions: tdMap(td) })).map((c) => c.containerName),
    ).toEqual(['db', 'cache']);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, 'db'), observed(t, 'cache')],
    });
    expect(creates(r)[0]?.spec.links).toEqual([
      { container: containerEngineName(t.taskArn, 'db'), alias: 'database' },
      { container: containerEngineName(t.taskArn, 'cache'), alias: 'cache' },
    ]);
  });
});
