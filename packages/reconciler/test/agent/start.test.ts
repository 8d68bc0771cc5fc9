import { describe, expect, it } from 'vitest';
import {
  agentStoppedReasons,
  type CreateContainerAction,
  containerEngineName,
  type PullImageAction,
  type StartContainerAction,
} from '../../src/agent/index.js';
import {
  applyUpdates,
  def,
  exited,
  instanceArn,
  observed,
  reconcile,
  running,
  T0,
  task,
  taskDef,
  tdMap,
  types,
} from './helpers.js';

describe('reconcileInstance: starting a task', () => {
  const td = taskDef([
    def('db', { image: 'db:1', portMappings: [{ containerPort: 5432, hostPort: 0, protocol: 'tcp' }] }),
    def('web', { image: 'web:1', dependsOn: [{ containerName: 'db', condition: 'START' }] }),
  ]);

  it('pulls every image once, for every container that waits for it (default pull behaviour)', () => {
    const t1 = task(td, 't1');
    const t2 = task(td, 't2');
    const r = reconcile({
      tasks: [t2, t1],
      taskDefinitions: tdMap(td),
      settings: {},
      images: ['db:1', 'web:1'],
    });
    expect(types(r)).toEqual(['PullImage', 'PullImage']);
    const pulls = r.actions as PullImageAction[];
    expect(pulls.map((p) => p.image)).toEqual(['db:1', 'web:1']);
    expect(pulls[0]?.for).toEqual([
      { taskArn: t1.taskArn, containerName: 'db' },
      { taskArn: t2.taskArn, containerName: 'db' },
    ]);
    const u = r.taskUpdates.find((x) => x.taskArn === t1.taskArn);
    expect(u?.changes).toMatchObject({ lastStatus: 'PENDING', pullStartedAt: T0 });
    expect(r.instance).toEqual({ runningTasksCount: 0, pendingTasksCount: 2 });
  });

  it('creates from the cache without pulling under prefer-cached and once', () => {
    for (const imagePullBehavior of ['prefer-cached', 'once'] as const) {
      const r = reconcile({
        tasks: [task(td)],
        taskDefinitions: tdMap(td),
        settings: { imagePullBehavior },
        images: ['db:1', 'docker.io/library/web:1'],
      });
      expect(types(r)).toEqual(['CreateContainer', 'CreateContainer']);
    }
    const r = reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td), images: ['db:1'] });
    expect(types(r)).toEqual(['PullImage', 'CreateContainer']);
  });

  it('creates after a successful pull, with labels, a deterministic name and the port mappings', () => {
    const t = task(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      settings: { imagePullBehavior: 'always' },
      images: [],
      outcomes: [
        { action: 'PullImage', taskArn: t.taskArn, containerName: 'db', ok: true, at: T0 },
        { action: 'PullImage', taskArn: t.taskArn, containerName: 'web', ok: true, at: T0 },
      ],
    });
    const create = r.actions[0] as CreateContainerAction;
    expect(create.type).toBe('CreateContainer');
    expect(create.spec.name).toBe(containerEngineName(t.taskArn, 'db'));
    expect(create.spec.name).toBe('baton-c1-t1-db');
    expect(create.spec.labels).toMatchObject({
      'com.baton.cluster': 'c1',
      'com.baton.task-arn': t.taskArn,
      'com.baton.container-name': 'db',
      'com.baton.task-definition-arn': td.taskDefinitionArn,
      'com.baton.container-instance-arn': instanceArn,
    });
    expect(create.spec.portMappings).toEqual([{ containerPort: 5432, hostPort: 0, protocol: 'tcp' }]);
  });

  it('starts containers in dependsOn order (START)', () => {
    const t = task(td);
    const created = [observed(t, 'db'), observed(t, 'web')];
    const r1 = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: created });
    expect(r1.actions).toEqual([
      {
        type: 'StartContainer',
        taskArn: t.taskArn,
        containerName: 'db',
        containerId: created[0]?.id,
        restart: false,
      },
    ]);
    expect(r1.taskUpdates[0]?.changes.pullStoppedAt).toBe(T0);
    const r2 = reconcile({
      tasks: applyUpdates([t], r1),
      taskDefinitions: tdMap(td),
      observed: [running(t, 'db', T0), observed(t, 'web')],
      now: T0 + 1000,
    });
    expect(types(r2)).toEqual(['StartContainer']);
    expect((r2.actions[0] as StartContainerAction).containerName).toBe('web');
    expect(r2.taskUpdates[0]?.changes.lastStatus).toBe('ACTIVATING');
  });

  it('reports RUNNING with network bindings, start time and instance counts once every container started', () => {
    const t = { ...task(td), lastStatus: 'ACTIVATING' as const };
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [
        running(t, 'db', T0, {
          portBindings: [{ containerPort: 5432, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 32771 }],
        }),
        running(t, 'web', T0 + 500),
      ],
      now: T0 + 1000,
    });
    expect(r.actions).toEqual([]);
    const c = r.taskUpdates[0]?.changes;
    expect(c?.lastStatus).toBe('RUNNING');
    expect(c?.startedAt).toBe(T0 + 1000);
    expect(c?.containers?.[0]).toMatchObject({
      name: 'db',
      lastStatus: 'RUNNING',
      runtimeId: `id-t1-db`,
      startedAt: T0,
      networkBindings: [{ bindIP: '127.0.0.1', containerPort: 5432, hostPort: 32771, protocol: 'tcp' }],
    });
    expect(r.instance).toEqual({ runningTasksCount: 1, pendingTasksCount: 0 });
  });

  it('waits for COMPLETE and SUCCESS, and fails the task when SUCCESS can no longer hold', () => {
    const td2 = taskDef([
      def('init', { essential: false }),
      def('app', { dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] }),
    ]);
    const t = { ...task(td2), lastStatus: 'ACTIVATING' as const };
    const waiting = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td2),
      observed: [running(t, 'init', T0), observed(t, 'app')],
      now: T0 + 1000,
    });
    expect(waiting.actions).toEqual([]);
    expect(waiting.requeueAfterMs).toBe(180_000 - 1000);
    const ok = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td2),
      observed: [exited(t, 'init', T0, T0 + 500, 0), observed(t, 'app')],
      now: T0 + 1000,
    });
    expect(types(ok)).toEqual(['StartContainer']);
    const bad = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td2),
      observed: [exited(t, 'init', T0, T0 + 500, 3), observed(t, 'app')],
      now: T0 + 1000,
    });
    expect(bad.actions).toEqual([]);
    expect(bad.taskUpdates[0]?.changes).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason:
        'DependencyConditionNotMet: container app depends on init (SUCCESS), which exited with code 3',
    });
  });

  it('starts on HEALTHY only once the dependency is healthy, and gives up after its startTimeout', () => {
    const hc = { command: ['CMD-SHELL', 'true'], interval: 1, timeout: 1, retries: 1 };
    const td2 = taskDef([
      def('db', { healthCheck: hc, startTimeout: 10 }),
      def('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
    ]);
    const t = { ...task(td2), lastStatus: 'ACTIVATING' as const };
    const starting = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td2),
      observed: [running(t, 'db', T0, { health: 'starting' }), observed(t, 'app')],
      now: T0 + 2000,
    });
    expect(starting.actions).toEqual([]);
    expect(starting.requeueAfterMs).toBe(8000);
    const healthy = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td2),
      observed: [running(t, 'db', T0, { health: 'healthy' }), observed(t, 'app')],
      now: T0 + 2000,
    });
    expect(types(healthy)).toEqual(['StartContainer']);
    const late = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td2),
      observed: [running(t, 'db', T0, { health: 'unhealthy' }), observed(t, 'app')],
      now: T0 + 10_000,
    });
    expect(late.actions).toEqual([]);
    expect(late.taskUpdates[0]?.changes).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'DEACTIVATING',
      stopCode: 'TaskFailedToStart',
      stoppedReason:
        'DependencyConditionNotMet: container app depends on db (HEALTHY), which did not reach HEALTHY within its startTimeout (10s)',
    });
  });

  it('fails the task with CannotPullContainerError when a pull fails and no cached copy may stand in', () => {
    const t = task(td);
    const outcomes = [
      {
        action: 'PullImage' as const,
        taskArn: t.taskArn,
        containerName: 'db',
        ok: false,
        at: T0,
        message: 'dial tcp: refused',
      },
    ];
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      settings: { imagePullBehavior: 'always' },
      images: ['db:1'],
      outcomes,
    });
    expect(r.taskUpdates[0]?.changes).toMatchObject({
      desiredStatus: 'STOPPED',
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: agentStoppedReasons.pullFailed('dial tcp: refused'),
      stoppedAt: T0,
    });
    expect(r.taskUpdates[0]?.changes.containers?.map((c) => c.lastStatus)).toEqual(['STOPPED', 'STOPPED']);
    // default: a cached copy stands in for a failed pull.
    const fallback = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      settings: {},
      images: ['db:1', 'web:1'],
      outcomes,
    });
    expect(types(fallback)).toEqual(['PullImage', 'CreateContainer']);
  });

  it('fails the task on a failed create or start, and when a container vanished before it started', () => {
    const t = task(td);
    const create = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      outcomes: [
        {
          action: 'CreateContainer',
          taskArn: t.taskArn,
          containerName: 'web',
          ok: false,
          at: T0,
          message: 'bad',
        },
      ],
    });
    expect(create.taskUpdates[0]?.changes.stoppedReason).toBe('CannotCreateContainerError: bad');
    const start = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, 'db', { error: 'exec: "nope": executable file not found' }), observed(t, 'web')],
    });
    expect(start.taskUpdates[0]?.changes.stoppedReason).toBe(
      'CannotStartContainerError: exec: "nope": executable file not found',
    );
    const withRecord = { ...t, containers: t.containers.map((c) => ({ ...c, runtimeId: `x-${c.name}` })) };
    const lost = reconcile({ tasks: [withRecord], taskDefinitions: tdMap(td), observed: [] });
    expect(lost.taskUpdates[0]?.changes.stoppedReason).toBe(agentStoppedReasons.removedBeforeStart('db'));
  });

  it('applies container overrides and builds the health check and limits into the spec', () => {
    const td2 = taskDef([
      def('app', {
        cpu: 256,
        memory: 64,
        memoryReservation: 32,
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        healthCheck: { command: ['CMD', 'true'], interval: 2, timeout: 1, retries: 2, startPeriod: 1 },
        dockerLabels: { team: 'x', 'com.baton.cluster': 'spoofed' },
      }),
    ]);
    const t = task(td2, 't1', {
      overrides: {
        containerOverrides: [
          { name: 'app', command: ['run'], environment: [{ name: 'B', value: '3' }], memory: 128 },
        ],
      },
    });
    const spec = (reconcile({ tasks: [t], taskDefinitions: tdMap(td2) }).actions[0] as CreateContainerAction)
      .spec;
    expect(spec).toMatchObject({
      command: ['run'],
      environment: [
        { name: 'A', value: '1' },
        { name: 'B', value: '3' },
      ],
      cpuShares: 256,
      memoryMiB: 128,
      memoryReservationMiB: 32,
      networkMode: 'bridge',
      stopTimeoutSeconds: 2,
      healthCheck: {
        command: ['CMD', 'true'],
        intervalSeconds: 2,
        timeoutSeconds: 1,
        retries: 2,
        startPeriodSeconds: 1,
      },
    });
    expect(spec.labels.team).toBe('x');
    expect(spec.labels['com.baton.cluster']).toBe('c1');
  });

  it('aggregates health over essential containers with a check: UNHEALTHY > UNKNOWN > HEALTHY', () => {
    const hc = { command: ['CMD', 'true'], interval: 1, timeout: 1, retries: 1 };
    const td2 = taskDef([
      def('a', { healthCheck: hc }),
      def('b', { healthCheck: hc }),
      def('c', { essential: false, healthCheck: hc }),
    ]);
    const t = { ...task(td2), lastStatus: 'RUNNING' as const };
    const health = (a: 'healthy' | 'unhealthy' | 'starting', b: 'healthy' | 'unhealthy' | 'starting') =>
      reconcile({
        tasks: [t],
        taskDefinitions: tdMap(td2),
        observed: [
          running(t, 'a', T0, { health: a }),
          running(t, 'b', T0, { health: b }),
          running(t, 'c', T0, { health: 'unhealthy' }),
        ],
      }).taskUpdates[0]?.changes.healthStatus ?? t.healthStatus;
    expect(health('healthy', 'healthy')).toBe('HEALTHY');
    expect(health('healthy', 'starting')).toBe('UNKNOWN');
    expect(health('starting', 'unhealthy')).toBe('UNHEALTHY');
  });

  it('is deterministic and writes nothing once the record matches the engine', () => {
    const t = task(td);
    const input = {
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, 'db', T0), running(t, 'web', T0)],
      now: T0 + 5000,
    };
    expect(reconcile(input)).toEqual(reconcile(input));
    const again = reconcile({ ...input, tasks: applyUpdates([t], reconcile(input)), now: T0 + 9000 });
    expect(again.taskUpdates).toEqual([]);
    expect(again.actions).toEqual([]);
  });
});
