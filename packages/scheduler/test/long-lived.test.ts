import type { ContainerInstance, PlacementStrategy, Task } from '@baton-ecs/model';
import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, type PlacementRequest, placeTasks, placeTasksLinearScan } from '../src/index.js';
import { ctx, instance, snapshot, task, taskDefinition } from './fixtures.js';

// One ClusterState kept across many calls (as a controller keeps it through a pass, and beyond):
// its caches and indexes live on while tasks come and go. Every call must decide what the linear
// scan decides on a state built afresh from the same cluster.

const tds = [
  taskDefinition('web', {
    containers: [{ cpu: 256, memory: 512, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
  }),
  taskDefinition('api', {
    containers: [{ cpu: 128, memory: 256, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
  }),
  taskDefinition('db', { containers: [{ cpu: 1024, memory: 1024 }] }),
  taskDefinition('tiny', { containers: [{ cpu: 0, memory: 64 }] }),
];
const groups = ['service:a', 'service:b', 'service:c'];
const zones = ['a', 'b', 'c'];

const strategies: (readonly Pick<PlacementStrategy, 'type' | 'field'>[])[] = [
  [],
  [],
  [],
  [{ type: 'spread', field: 'instanceId' }],
  [
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'spread', field: 'instanceId' },
  ],
  [
    { type: 'spread', field: 'attribute:ecs.instance-type' },
    { type: 'spread', field: 'instanceId' },
  ],
  [
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'binpack', field: 'memory' },
  ],
  [{ type: 'binpack', field: 'cpu' }],
  [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'random' }],
];
const expressions = [
  'attribute:ecs.instance-type != c5.xlarge',
  'attribute:ecs.availability-zone in [a, b]',
  'task:group != service:c',
  'runningTasksCount < 6',
];

const instanceFacts = fc.record({
  cpu: fc.constantFrom(512, 512, 1024, 2048, 4096),
  memory: fc.constantFrom(1024, 1024, 2048, 4096),
  zone: fc.option(fc.constantFrom(...zones), { nil: undefined, freq: 10 }),
  type: fc.constantFrom('t3.small', 'm5.large', 'c5.xlarge'),
  draining: fc.integer({ min: 0, max: 9 }),
});
type Facts = typeof instanceFacts extends fc.Arbitrary<infer T> ? T : never;

const instanceOf = (id: string, f: Facts): ContainerInstance =>
  instance(id, {
    cpu: f.cpu,
    memory: f.memory,
    ...(f.zone === undefined ? {} : { zone: f.zone }),
    type: f.type,
    status: f.draining === 0 ? 'DRAINING' : 'ACTIVE',
  });

const op = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      td: fc.integer({ min: 0, max: tds.length - 1 }),
      group: fc.constantFrom(...groups),
      count: fc.integer({ min: 1, max: 12 }),
      strategy: fc.integer({ min: 0, max: strategies.length - 1 }),
      memberOf: fc.subarray(expressions, { maxLength: 2 }),
      distinct: fc.integer({ min: 0, max: 4 }),
      withArns: fc.integer({ min: 0, max: 5 }),
      seed: fc.integer(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('task' as const),
      td: fc.integer({ min: 0, max: tds.length - 1 }),
      group: fc.constantFrom(...groups),
      on: fc.nat(),
      lastStatus: fc.constantFrom('PENDING', 'RUNNING', 'RUNNING', 'STOPPED'),
      desiredStopped: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      which: fc.nat(),
      change: fc.constantFrom('stop', 'stopping', 'remove'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('drop' as const), group: fc.constantFrom(...groups) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('instance' as const), which: fc.nat(), facts: instanceFacts }),
  },
);

describe('a long-lived ClusterState', () => {
  it('decides every call as the linear scan does on a fresh state of the same cluster', () => {
    const scenario = fc.record({
      facts: fc.array(instanceFacts, { minLength: 8, maxLength: 60, size: 'max' }),
      // Tasks already running when the state is built: instances may be full before any index exists.
      existing: fc.array(
        fc.record({
          on: fc.nat(),
          td: fc.integer({ min: 0, max: tds.length - 1 }),
          group: fc.constantFrom(...groups),
        }),
        { maxLength: 60 },
      ),
      ops: fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }),
    });
    fc.assert(
      fc.property(scenario, ({ facts, existing, ops }) => {
        const instances = facts.map((f, i) => instanceOf(`i-${i}`, f));
        const tasks = new Map<string, Task>();
        for (const e of existing) {
          const t = task(tds[e.td]!, instances[e.on % instances.length]!.ec2InstanceId, { group: e.group });
          tasks.set(t.taskArn, t);
        }
        const model = () => snapshot([...instances], [...tasks.values()], tds);
        const live = ClusterState.fromSnapshot(model());
        const anonymous = new Set<string>();
        let created = 0;
        for (const o of ops) {
          if (o.kind === 'place') {
            const td = tds[o.td]!;
            const arns = Array.from(
              { length: o.count },
              () => `arn:aws:ecs:local:0:task/default/p${++created}`,
            );
            const request: PlacementRequest = {
              taskDefinition: td,
              count: o.count,
              group: o.group,
              placementConstraints: [
                ...(o.distinct === 0 ? [{ type: 'distinctInstance' as const }] : []),
                ...o.memberOf.map((expression) => ({ type: 'memberOf' as const, expression })),
              ],
              placementStrategy: strategies[o.strategy]!,
              ...(o.withArns === 0 ? {} : { taskArns: arns }),
            };
            const expected = placeTasksLinearScan(request, ClusterState.fromSnapshot(model()), ctx(o.seed));
            const actual = placeTasks(request, live, ctx(o.seed));
            expect(actual).toEqual(expected);
            if (!isRight(actual)) continue;
            for (const p of actual.right.placements) {
              const taskArn = arns[p.taskIndex]!;
              tasks.set(
                taskArn,
                task(td, p.ec2InstanceId, { taskArn, group: o.group, lastStatus: 'PENDING' }),
              );
              // Without ARNs the state accounts the placement anonymously: nothing can update it later.
              if (o.withArns === 0) anonymous.add(taskArn);
            }
          } else if (o.kind === 'task') {
            const on = instances[o.on % instances.length]!;
            const t = task(tds[o.td]!, on.ec2InstanceId, {
              group: o.group,
              lastStatus: o.lastStatus as Task['lastStatus'],
              desiredStatus: o.desiredStopped === 0 ? 'STOPPED' : 'RUNNING',
            });
            live.upsertTask(t);
            if (t.lastStatus !== 'STOPPED') tasks.set(t.taskArn, t);
          } else if (o.kind === 'update') {
            const all = [...tasks.values()].filter((t) => !anonymous.has(t.taskArn));
            const t = all[o.which % Math.max(1, all.length)];
            if (t === undefined) continue;
            if (o.change === 'remove' || o.change === 'stop') {
              if (o.change === 'remove') live.removeTask(t.taskArn);
              else live.upsertTask({ ...t, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
              tasks.delete(t.taskArn);
            } else {
              const stopping: Task = { ...t, desiredStatus: 'STOPPED' };
              live.upsertTask(stopping);
              tasks.set(t.taskArn, stopping);
            }
          } else if (o.kind === 'drop') {
            // A whole service goes away: frees instances that may have been full when an index was built.
            for (const t of [...tasks.values()]) {
              if (t.group !== o.group || anonymous.has(t.taskArn)) continue;
              live.removeTask(t.taskArn);
              tasks.delete(t.taskArn);
            }
          } else {
            // Replace an instance's facts, or (one time in four) register a new one.
            const at = o.which % (instances.length * 4);
            const id = at < instances.length ? instances[at]!.ec2InstanceId : `i-${instances.length}`;
            const next = instanceOf(id, o.facts);
            if (at < instances.length) instances[at] = next;
            else instances.push(next);
            live.upsertInstance(next);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('decides as the linear scan when more constraint sets are asked for than the state keeps indexes for', () => {
    // 24 distinct memberOf sets (each its own candidate set) over the default chain and binpack: the
    // first ones get a FitIndex or ResourceOrder, the rest scan. Both states see the same calls.
    const instances = Array.from({ length: 40 }, (_, i) =>
      instance(`i-${i}`, {
        cpu: 1024,
        memory: 2048,
        zone: zones[i % 3]!,
        attributes: { slot: String(i % 24) },
      }),
    );
    const fast = ClusterState.fromSnapshot(snapshot(instances, [], tds));
    const linear = ClusterState.fromSnapshot(snapshot(instances, [], tds));
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 24; k++) {
        const request: PlacementRequest = {
          taskDefinition: tds[(k + round) % tds.length]!,
          count: 1 + ((k + round) % 4),
          group: groups[k % groups.length]!,
          placementConstraints: [{ type: 'memberOf', expression: `attribute:slot != ${k}` }],
          placementStrategy: strategies[(k + round) % strategies.length]!,
        };
        expect(placeTasks(request, fast, ctx(k))).toEqual(placeTasksLinearScan(request, linear, ctx(k)));
      }
    }
  });
});
