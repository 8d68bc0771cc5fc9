import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type PlacementRequest, placeTasks, placeTasksLinearScan } from '../src/index.js';
import { ctx, instance, snapshot, task, taskDefinition } from './fixtures.js';

const small = taskDefinition('small', { containers: [{ cpu: 256, memory: 512 }] });
const request = (overrides: Partial<PlacementRequest> = {}): PlacementRequest => ({
  taskDefinition: small,
  count: 1,
  group: 'service:web',
  ...overrides,
});

/** Places one task; returns the chosen instance id or the failure's per-filter breakdown. */
function place(req: PlacementRequest, s: ReturnType<typeof snapshot>) {
  const fast = placeTasks(req, s, ctx());
  expect(placeTasksLinearScan(req, s, ctx())).toEqual(fast);
  if (isRight(fast)) return fast.right.placements.map((p) => p.ec2InstanceId);
  if (fast.left.type !== 'NoInstanceMetRequirements') throw new Error(fast.left.message);
  return fast.left.explanation.rejections.map((r) => [r.filter, r.instanceCount, r.detail]);
}

describe('filters, each alone', () => {
  it('status: only ACTIVE instances', () => {
    const instances = ['DRAINING', 'INACTIVE', 'REGISTERING', 'ACTIVE'].map((status, i) =>
      instance(`i-${i}`, { status: status as 'ACTIVE' }),
    );
    expect(place(request(), snapshot(instances))).toEqual(['i-3']);
    expect(place(request(), snapshot(instances.slice(0, 3)))).toEqual([['status', 3, undefined]]);
  });

  it('agent: only connected agents', () => {
    const s = snapshot([instance('i-1', { agentConnected: false }), instance('i-2')]);
    expect(place(request(), s)).toEqual(['i-2']);
    expect(place(request(), snapshot([instance('i-1', { agentConnected: false })]))).toEqual([
      ['agent', 1, undefined],
    ]);
  });

  it('cpu: 1024 units per core, counting existing tasks', () => {
    const big = taskDefinition('big', { containers: [{ cpu: 1024, memory: 64 }] });
    const s = snapshot(
      [instance('i-1', { cpu: 1024 }), instance('i-2', { cpu: 2048 }), instance('i-3', { cpu: 1024 })],
      [task(big, 'i-2'), task(big, 'i-3', { lastStatus: 'STOPPED' })],
      [big],
    );
    expect(place(request({ taskDefinition: big, count: 3 }), s).sort()).toEqual(['i-1', 'i-2', 'i-3']);
    expect(place(request({ taskDefinition: taskDefinition('huge', { cpu: 2048, memory: 64 }) }), s)).toEqual([
      ['cpu', 3, undefined],
    ]);
  });

  it('memory: memoryReservation counts when set, else memory; task-level memory when set', () => {
    const soft = taskDefinition('soft', { containers: [{ memory: 4096, memoryReservation: 512 }] });
    const hard = taskDefinition('hard', { containers: [{ memory: 1024 }] });
    const taskLevel = taskDefinition('tl', { memory: '1 GB', containers: [{ memoryReservation: 6 }] });
    const s = snapshot([instance('i-1', { memory: 1000 })]);
    expect(place(request({ taskDefinition: soft }), s)).toEqual(['i-1']);
    expect(place(request({ taskDefinition: hard }), s)).toEqual([['memory', 1, undefined]]);
    expect(place(request({ taskDefinition: taskLevel }), s)).toEqual([['memory', 1, undefined]]);
  });

  it('ports: static host ports conflict, dynamic ones do not, reserved ports are taken', () => {
    const fixed = (port: number, protocol: 'tcp' | 'udp' = 'tcp') =>
      taskDefinition(`p${port}${protocol}`, {
        containers: [{ cpu: 1, memory: 6, portMappings: [{ containerPort: 80, hostPort: port, protocol }] }],
      });
    const dynamic = taskDefinition('dyn', {
      containers: [{ cpu: 1, memory: 6, portMappings: [{ containerPort: 80 }] }],
    });
    const s = snapshot(
      [instance('i-1', { ports: ['9000'], udpPorts: ['161'] })],
      [task(fixed(8080), 'i-1'), task(dynamic, 'i-1', { bindings: [{ hostPort: 32768 }] })],
      [fixed(8080), dynamic],
    );
    for (const port of [8080, 22, 2375, 2376, 51678, 51679, 9000, 32768]) {
      expect(place(request({ taskDefinition: fixed(port) }), s)).toEqual([['ports', 1, undefined]]);
    }
    expect(place(request({ taskDefinition: fixed(161, 'udp') }), s)).toEqual([['ports', 1, undefined]]);
    expect(place(request({ taskDefinition: fixed(8080, 'udp') }), s)).toEqual(['i-1']);
    expect(place(request({ taskDefinition: fixed(8081) }), s)).toEqual(['i-1']);
    expect(place(request({ taskDefinition: dynamic, count: 5 }), s)).toHaveLength(5);
    // one call never hands the same static port out twice
    const outcome = placeTasks(request({ taskDefinition: fixed(8081), count: 2 }), s, ctx());
    expect(isRight(outcome) && [outcome.right.placements.length, outcome.right.unplacedCount]).toEqual([
      1, 1,
    ]);
  });

  it('distinctInstance: one task of the group per instance; other groups and desired-STOPPED tasks do not count', () => {
    const s = snapshot(
      [instance('i-1'), instance('i-2'), instance('i-3')],
      [
        task(small, 'i-1', { group: 'service:web' }),
        task(small, 'i-2', { group: 'service:other' }),
        task(small, 'i-3', { group: 'service:web', desiredStatus: 'STOPPED', lastStatus: 'RUNNING' }),
      ],
      [small],
    );
    const req = request({ count: 3, placementConstraints: [{ type: 'distinctInstance' }] });
    const outcome = placeTasks(req, s, ctx());
    expect(isRight(outcome) && outcome.right.placements.map((p) => p.ec2InstanceId).sort()).toEqual([
      'i-2',
      'i-3',
    ]);
    expect(isRight(outcome) && outcome.right.explanation?.rejections).toEqual([
      { filter: 'distinctInstance', instanceCount: 3 },
    ]);
  });

  it('memberOf: from the task definition and from the service, both apply', () => {
    const s = snapshot([
      instance('i-1', { type: 't3.small', zone: 'a' }),
      instance('i-2', { type: 't3.large', zone: 'b' }),
      instance('i-3', { type: 'm5.large', zone: 'a' }),
    ]);
    const td = taskDefinition('t3', {
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
    });
    expect(place(request({ taskDefinition: td, count: 2 }), s).sort()).toEqual(['i-1', 'i-2']);
    const both = request({
      taskDefinition: td,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == b' }],
      count: 2,
    });
    expect(place(both, s)).toEqual(['i-2', 'i-2']);
    expect(
      place(
        {
          ...both,
          placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == c' }],
        },
        s,
      ),
    ).toEqual([
      ['memberOf', 1, 'attribute:ecs.instance-type =~ t3.*'],
      ['memberOf', 2, 'attribute:ecs.availability-zone == c'],
    ]);
  });

  it('memberOf with task:group affinity follows placements made in the same call', () => {
    const s = snapshot(
      [instance('i-1'), instance('i-2'), instance('i-3')],
      [task(small, 'i-2', { group: 'service:db' })],
      [small],
    );
    const affinity = request({
      count: 3,
      placementConstraints: [{ type: 'memberOf', expression: 'task:group == service:db' }],
    });
    expect(place(affinity, s)).toEqual(['i-2', 'i-2', 'i-2']);
    const anti = request({
      count: 3,
      placementConstraints: [{ type: 'memberOf', expression: 'task:group != service:web' }],
    });
    const outcome = placeTasks(anti, s, ctx());
    expect(isRight(outcome) && outcome.right.placements.length).toBe(3);
    const limited = request({
      count: 5,
      placementConstraints: [{ type: 'memberOf', expression: 'runningTasksCount < 2' }],
    });
    expect(place(limited, s)).toHaveLength(5);
    const outcome2 = placeTasks({ ...limited, count: 6 }, s, ctx());
    expect(isRight(outcome2) && outcome2.right.unplacedCount).toBe(1);
  });
});

describe('placement failures read like ECS events', () => {
  it('names the closest instance (the one that passed the most filters) and breaks rejections down by filter', () => {
    const s = snapshot([
      instance('i-a', { status: 'DRAINING' }),
      instance('i-b', { memory: 100, type: 'm5.large' }),
      instance('i-c', { memory: 100, type: 't3.small' }),
      instance('i-d', { cpu: 100, type: 't3.small' }),
    ]);
    const outcome = placeTasks(
      request({
        placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
      }),
      s,
      ctx(),
    );
    if (!isLeft(outcome) || outcome.left.type !== 'NoInstanceMetRequirements')
      throw new Error('expected a failure');
    expect(outcome.left.explanation.closest).toMatchObject({ containerInstanceId: 'i-b', filter: 'memory' });
    expect(outcome.left.message).toBe(
      'unable to place a task because no container instance met all of its requirements. ' +
        'The closest matching container-instance i-b has insufficient memory available. ' +
        '1 instance: not ACTIVE; 1 instance: insufficient CPU units; 2 instances: insufficient memory',
    );
  });

  it.each([
    [{ status: 'DRAINING' as const }, {}, 'is DRAINING'],
    [{ agentConnected: false }, {}, 'encountered error "AGENT"'],
    [{ cpu: 1 }, {}, 'has insufficient CPU units available'],
    [{ ports: ['8080'] }, { port: 8080 }, 'is already using a port required by your task'],
    [
      {},
      { memberOf: 'attribute:x exists' },
      'does not meet placement constraint memberOf(attribute:x exists)',
    ],
  ])(
    'closest-instance wording for %j',
    (instanceOptions, extra: { port?: number; memberOf?: string }, wording) => {
      const td =
        extra.port === undefined
          ? small
          : taskDefinition('port', {
              containers: [{ cpu: 1, memory: 6, portMappings: [{ containerPort: 1, hostPort: extra.port }] }],
            });
      const outcome = placeTasks(
        request({
          taskDefinition: td,
          ...(extra.memberOf === undefined
            ? {}
            : { placementConstraints: [{ type: 'memberOf', expression: extra.memberOf }] }),
        }),
        snapshot([instance('i-1', instanceOptions)]),
        ctx(),
      );
      expect(isLeft(outcome) && outcome.left.message).toContain(`container-instance i-1 ${wording}.`);
    },
  );

  it('says when the cluster has no instances', () => {
    const outcome = placeTasks(request(), snapshot([]), ctx());
    expect(isLeft(outcome) && outcome.left.message).toBe(
      'unable to place a task. Reason: No Container Instances were found in your cluster.',
    );
  });

  it('reports partial placement: k of N placed and why the rest were not', () => {
    const s = snapshot([instance('i-1', { cpu: 512 }), instance('i-2', { cpu: 256 })]);
    const outcome = placeTasks(request({ count: 5 }), s, ctx());
    if (!isRight(outcome)) throw new Error('expected a partial placement');
    expect(outcome.right).toMatchObject({ requestedCount: 5, unplacedCount: 2 });
    expect(outcome.right.placements.map((p) => p.taskIndex)).toEqual([0, 1, 2]);
    expect(outcome.right.explanation?.message).toContain('2 instances: insufficient CPU units');
  });

  it('rejects invalid requests', () => {
    const s = snapshot([instance('i-1')]);
    const invalid = (req: PlacementRequest) => {
      const outcome = placeTasks(req, s, ctx());
      return isLeft(outcome) && outcome.left.type === 'InvalidPlacementRequest' && outcome.left.message;
    };
    expect(invalid(request({ count: -1 }))).toMatch(/count/);
    expect(invalid(request({ count: 1.5 }))).toMatch(/count/);
    expect(
      invalid(request({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }] })),
    ).toMatch(/column/);
    expect(invalid(request({ placementStrategy: [{ type: 'binpack', field: 'disk' }] }))).toMatch(/binpack/);
    const none = placeTasks(request({ count: 0 }), s, ctx());
    expect(isRight(none) && none.right).toEqual({
      requestedCount: 0,
      placements: [],
      unplacedCount: 0,
      explanation: undefined,
    });
  });
});
