import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterState, type SchedulerInstance, type SchedulerTask } from '../src/index.js';

/**
 * ClusterState keeps, per task group, the tasks it was given and their counts, updated on every
 * change instead of recounted. After random sequences of every mutation the state has (tasks added,
 * replaced, moved between groups, removed; placements reserved; instances changing status), each
 * group's list and counts must equal what a recount of the tasks gives, and a list handed out before a
 * change must not have changed.
 */
const instanceArn = (i: number) => `arn:aws:ecs:us-east-1:000000000000:container-instance/c/i-${i}`;
function instance(i: number, status: string, agentConnected: boolean): SchedulerInstance {
  return {
    containerInstanceArn: instanceArn(i),
    ec2InstanceId: `i-${i}`,
    status,
    agentConnected,
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 100_000 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 100_000 },
    ],
    attributes: [],
  } as SchedulerInstance;
}

const taskArn = (k: number) => `arn:aws:ecs:us-east-1:000000000000:task/c/t${k}`;
const groups = ['service:a', 'service:b', undefined] as const;

const taskRecord = fc.record({
  k: fc.nat(7),
  group: fc.constantFrom(...groups),
  desiredStatus: fc.constantFrom('RUNNING', 'RUNNING', 'STOPPED'),
  lastStatus: fc.constantFrom('PENDING', 'RUNNING', 'RUNNING', 'STOPPED'),
  // 3: an instance the state does not know; 4: none.
  instance: fc.nat(4),
  startedBy: fc.constantFrom('d1', 'd2', undefined),
  taskDefinition: fc.constantFrom('td:1', 'td:2'),
  startedAt: fc.constantFrom(undefined, 10, 20, 30),
  healthStatus: fc.constantFrom('HEALTHY', 'UNHEALTHY', 'UNKNOWN', undefined),
});
type TaskRecord = typeof taskRecord extends fc.Arbitrary<infer T> ? T : never;

const op = fc.oneof(
  { weight: 6, arbitrary: taskRecord.map((t) => ({ kind: 'upsert' as const, t })) },
  { weight: 2, arbitrary: fc.nat(7).map((k) => ({ kind: 'remove' as const, k })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(2), fc.constantFrom(...groups), fc.nat(9))
      .map(([index, group, k]) => ({ kind: 'reserve' as const, index, group: group ?? 'other', k })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(2), fc.constantFrom('ACTIVE', 'DRAINING', 'INACTIVE'), fc.boolean())
      .map(([i, status, connected]) => ({ kind: 'instance' as const, i, status, connected })),
  },
);

function taskOf(t: TaskRecord): SchedulerTask {
  return {
    taskArn: taskArn(t.k),
    taskDefinitionArn: t.taskDefinition,
    ...(t.instance < 4 ? { containerInstanceArn: instanceArn(t.instance) } : {}),
    ...(t.group !== undefined ? { group: t.group } : {}),
    desiredStatus: t.desiredStatus,
    lastStatus: t.lastStatus,
    ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
    ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
    ...(t.healthStatus !== undefined ? { healthStatus: t.healthStatus } : {}),
    containers: [],
  } as SchedulerTask;
}

/** The counts, recounted from a group's tasks. */
function recount(members: { task: SchedulerTask; unplaced: boolean }[]) {
  const live = members.filter((m) => m.task.desiredStatus === 'RUNNING' && m.task.lastStatus !== 'STOPPED');
  const by = (list: typeof members, key: (t: SchedulerTask) => string) => {
    const m = new Map<string, number>();
    for (const x of list) m.set(key(x.task), (m.get(key(x.task)) ?? 0) + 1);
    return m;
  };
  return {
    all: members.map((m) => m.task),
    stopped: members.filter((m) => m.task.lastStatus === 'STOPPED').map((m) => m.task),
    live: live.length,
    liveRunning: live.filter((m) => m.task.lastStatus === 'RUNNING').length,
    liveHealthy: live.filter((m) => m.task.healthStatus === 'HEALTHY').length,
    liveNotStarted: live.filter((m) => m.task.startedAt === undefined).length,
    liveUnplaced: live.filter((m) => m.unplaced).length,
    liveLatestStart: Math.max(
      Number.NEGATIVE_INFINITY,
      ...live.map((m) => m.task.startedAt ?? Number.NEGATIVE_INFINITY),
    ),
    stoppedCount: members.filter((m) => m.task.lastStatus === 'STOPPED').length,
    liveByStartedBy: by(live, (t) => t.startedBy ?? ''),
    liveByTaskDefinition: by(live, (t) => t.taskDefinitionArn),
    started: by(
      members.filter((m) => m.task.startedAt !== undefined),
      (t) => t.startedBy ?? '',
    ),
  };
}

describe("a ClusterState's per-group tasks and counts", () => {
  it('a property: after any sequence of changes, equal a recount, and lists handed out never change', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const status = [0, 1, 2].map(() => ({ status: 'ACTIVE', connected: true }));
        const state = ClusterState.fromSnapshot({
          instances: status.map((s, i) => instance(i, s.status, s.connected)),
          tasks: [],
          taskDefinitions: new Map(),
        });
        // The model: the tasks given, by ARN, in the order first seen (a replaced task keeps its place).
        const model = new Map<string, { task: SchedulerTask; unplaced: boolean }>();
        const handedOut: { list: readonly SchedulerTask[]; copy: SchedulerTask[] }[] = [];
        for (const o of ops) {
          for (const g of groups) {
            const tasks = g === undefined ? undefined : state.groupTasks(g);
            if (tasks === undefined) continue;
            // Read (and so cache) between changes, as reconciles do.
            for (const list of [tasks.all, tasks.stopped]) handedOut.push({ list, copy: [...list] });
            void tasks.liveLatestStart;
          }
          if (o.kind === 'upsert') {
            const task = taskOf(o.t);
            state.upsertTask(task);
            const previous = model.get(task.taskArn);
            if (previous !== undefined && previous.task.group !== task.group) model.delete(task.taskArn);
            model.set(task.taskArn, { task, unplaced: o.t.instance >= 3 });
          } else if (o.kind === 'remove') {
            state.removeTask(taskArn(o.k));
            model.delete(taskArn(o.k));
          } else if (o.kind === 'reserve') {
            // A planned placement is not one of the group's tasks until it is given back as a task.
            state.reserve(
              o.index,
              { cpu: 1, memory: 1, tcpPorts: [], udpPorts: [] } as never,
              o.group,
              taskArn(o.k + 100),
            );
          } else {
            status[o.i] = { status: o.status, connected: o.connected };
            state.upsertInstance(instance(o.i, o.status, o.connected));
          }
        }
        for (const g of groups) {
          if (g === undefined) continue;
          const members = [...model.values()].filter((m) => m.task.group === g);
          const actual = state.groupTasks(g);
          const expected = recount(members);
          if (actual === undefined) {
            expect(members).toEqual([]);
            continue;
          }
          expect(actual.all).toEqual(expected.all);
          for (const [i, t] of actual.all.entries()) expect(t).toBe(expected.all[i]);
          expect(actual.stopped).toEqual(expected.stopped);
          expect({
            live: actual.live,
            liveRunning: actual.liveRunning,
            liveHealthy: actual.liveHealthy,
            liveNotStarted: actual.liveNotStarted,
            liveUnplaced: actual.liveUnplaced,
            liveLatestStart: actual.liveLatestStart,
            stoppedCount: actual.stoppedCount,
          }).toEqual({
            live: expected.live,
            liveRunning: expected.liveRunning,
            liveHealthy: expected.liveHealthy,
            liveNotStarted: expected.liveNotStarted,
            liveUnplaced: expected.liveUnplaced,
            liveLatestStart: expected.liveLatestStart,
            stoppedCount: expected.stoppedCount,
          });
          for (const key of ['d1', 'd2', '']) {
            expect(actual.liveStartedBy(key)).toBe(expected.liveByStartedBy.get(key) ?? 0);
            expect(actual.startedOf(key)).toBe(expected.started.get(key) ?? 0);
          }
          for (const td of ['td:1', 'td:2'])
            expect(actual.liveOfTaskDefinition(td)).toBe(expected.liveByTaskDefinition.get(td) ?? 0);
        }
        expect(state.impairedInstances).toBe(
          status.filter((s) => s.status !== 'ACTIVE' || !s.connected).length,
        );
        for (const h of handedOut) expect(h.list).toEqual(h.copy);
      }),
      { numRuns: 1000 },
    );
  });
});
