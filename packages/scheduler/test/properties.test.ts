import type { ContainerInstance, PlacementStrategy, Task, TaskDefinition } from '@baton-ecs/model';
import { resourceInteger, resourceStringSet } from '@baton-ecs/model';
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  ClusterState,
  compileClusterQuery,
  type PlacementRequest,
  placeDaemonTasks,
  placeTasks,
  placeTasksLinearScan,
  remainingResources,
  selectTasksToStop,
  staticHostPorts,
  taskDefinitionReservation,
} from '../src/index.js';
import { ctx, instance, snapshot, task, taskDefinition } from './fixtures.js';

const zones = ['a', 'b', 'c'];
const types = ['t3.small', 'm5.large', 'c5.xlarge'];
const group = 'service:web';

const instanceArb = (i: number) =>
  fc
    .record({
      cpu: fc.constantFrom(0, 256, 1024, 2048, 4096),
      memory: fc.constantFrom(0, 512, 1024, 4096, 8192),
      zone: fc.option(fc.constantFrom(...zones), { nil: undefined, freq: 8 }),
      type: fc.constantFrom(...types),
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'),
      // one in ten agents is disconnected
      offline: fc.integer({ min: 0, max: 9 }),
      ports: fc.subarray(['8080', '9000']),
    })
    .map((o) =>
      instance(`i-${i}`, {
        cpu: o.cpu,
        memory: o.memory,
        ...(o.zone === undefined ? {} : { zone: o.zone }),
        type: o.type,
        status: o.status as ContainerInstance['status'],
        agentConnected: o.offline !== 0,
        ports: o.ports,
      }),
    );

const tdArb = fc
  .record({
    cpu: fc.integer({ min: 0, max: 1024 }),
    memory: fc.integer({ min: 6, max: 2048 }),
    port: fc.constantFrom(undefined, 0, 8080, 8081, 9000),
    udp: fc.boolean(),
  })
  .map((o) =>
    taskDefinition('web', {
      containers: [
        {
          cpu: o.cpu,
          memory: o.memory,
          portMappings:
            o.port === undefined
              ? []
              : [
                  {
                    containerPort: 80,
                    hostPort: o.port,
                    protocol: o.udp ? ('udp' as const) : ('tcp' as const),
                  },
                ],
        },
      ],
    }),
  );

const expressions = [
  'attribute:ecs.instance-type =~ t3.*',
  'attribute:ecs.availability-zone in [a, b]',
  'not (attribute:ecs.instance-type == c5.xlarge)',
  'task:group != service:web',
  'task:group == service:api or attribute:ecs.availability-zone exists',
  'runningTasksCount < 4',
];

const strategyArb = fc.array(
  fc.constantFrom<Pick<PlacementStrategy, 'type' | 'field'>>(
    { type: 'binpack', field: 'cpu' },
    { type: 'binpack', field: 'memory' },
    { type: 'spread', field: 'instanceId' },
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'spread', field: 'attribute:ecs.instance-type' },
    { type: 'random' },
  ),
  { maxLength: 3 },
);

const nestedChains: Pick<PlacementStrategy, 'type' | 'field'>[][] = [
  [
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'spread', field: 'attribute:ecs.instance-type' },
    { type: 'binpack', field: 'memory' },
  ],
  [
    { type: 'binpack', field: 'cpu' },
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
  ],
  [
    { type: 'spread', field: 'instanceId' },
    { type: 'spread', field: 'attribute:ecs.instance-type' },
  ],
  [
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'binpack', field: 'memory' },
  ],
];

interface Scenario {
  instances: ContainerInstance[];
  tasks: Task[];
  td: TaskDefinition;
  other: TaskDefinition;
  request: PlacementRequest;
  seed: number;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 0, max: 10 }).chain((n) => scenarioOf(n, 25));

function scenarioOf(n: number, maxCount: number): fc.Arbitrary<Scenario> {
  return fc
    .record({
      instances: fc.tuple(...Array.from({ length: n }, (_, i) => instanceArb(i))),
      td: tdArb,
      other: tdArb.map((td) => ({
        ...td,
        family: 'api',
        taskDefinitionArn: 'arn:aws:ecs:local:0:task-definition/api:1',
      })),
      existing: fc.array(
        fc.record({
          on: fc.integer({ min: 0, max: Math.max(0, n - 1) }),
          mine: fc.boolean(),
          status: fc.constantFrom('RUNNING', 'PENDING', 'STOPPED'),
          desiredStopped: fc.boolean(),
          bind: fc.constantFrom(undefined, 8081, 32768),
        }),
        { maxLength: 12 },
      ),
      count: fc.integer({ min: 0, max: maxCount }),
      distinct: fc.boolean(),
      memberOf: fc.subarray(expressions, { maxLength: 2 }),
      strategy: strategyArb,
      seed: fc.integer(),
    })
    .map((o) => {
      const tasks =
        o.instances.length === 0
          ? []
          : o.existing.map((e) =>
              task(e.mine ? o.td : o.other, `i-${e.on}`, {
                group: e.mine ? group : 'service:api',
                lastStatus: e.status as Task['lastStatus'],
                desiredStatus: e.desiredStopped ? 'STOPPED' : 'RUNNING',
                ...(e.bind === undefined ? {} : { bindings: [{ hostPort: e.bind }] }),
              }),
            );
      return {
        instances: o.instances,
        tasks,
        td: o.td,
        other: o.other,
        seed: o.seed,
        request: {
          taskDefinition: o.td,
          count: o.count,
          group,
          placementConstraints: [
            ...(o.distinct ? [{ type: 'distinctInstance' as const }] : []),
            ...o.memberOf.map((expression) => ({ type: 'memberOf' as const, expression })),
          ],
          placementStrategy: o.strategy,
        },
      };
    });
}

const snap = (s: Scenario) => snapshot(s.instances, s.tasks, [s.td, s.other]);

describe('placement properties', () => {
  it('places exactly what the linear scan places, deterministically per seed; placed + unplaced = requested', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const fast = placeTasks(s.request, snap(s), ctx(s.seed));
        expect(placeTasks(s.request, snap(s), ctx(s.seed))).toEqual(fast);
        expect(placeTasksLinearScan(s.request, snap(s), ctx(s.seed))).toEqual(fast);
        if (isLeft(fast)) {
          expect(fast.left.type).toBe('NoInstanceMetRequirements');
          if (fast.left.type === 'NoInstanceMetRequirements') {
            const counted = fast.left.explanation.rejections.reduce((n, r) => n + r.instanceCount, 0);
            expect(counted).toBe(s.instances.length);
          }
          return;
        }
        const { placements, unplacedCount, requestedCount, explanation } = fast.right;
        expect(placements.length + unplacedCount).toBe(requestedCount);
        expect(placements.map((p) => p.taskIndex)).toEqual(placements.map((_, i) => i));
        expect(explanation !== undefined).toBe(unplacedCount > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the linear scan on larger clusters and nested spreads', () => {
    const big = fc.integer({ min: 20, max: 80 }).chain((n) => scenarioOf(n, 200));
    fc.assert(
      fc.property(big, fc.constantFrom(...nestedChains), (s, chain) => {
        const request = { ...s.request, placementStrategy: chain };
        const fast = placeTasks(request, snap(s), ctx(s.seed));
        expect(placeTasksLinearScan(request, snap(s), ctx(s.seed))).toEqual(fast);
      }),
      { numRuns: 60 },
    );
  });

  it('never over-commits CPU, memory or ports, and never violates a constraint', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const outcome = placeTasks(s.request, snap(s), ctx(s.seed));
        if (!isRight(outcome)) return;
        const demand = taskDefinitionReservation(s.td);
        const ports = staticHostPorts(s.td);
        const lookup = new Map([s.td, s.other].map((td) => [td.taskDefinitionArn!, td]));
        // Replays the placements in order on an independent view of each instance.
        const replay = ClusterState.fromSnapshot(snap(s));
        const queries = (s.request.placementConstraints ?? [])
          .filter((c) => c.type === 'memberOf')
          .map((c) => {
            const q = compileClusterQuery(c.expression!);
            if (isLeft(q)) throw q.left;
            return q.right;
          });
        const placedOn = new Map<string, number>();
        for (const p of outcome.right.placements) {
          const inst = s.instances.find((i) => i.containerInstanceArn === p.containerInstanceArn)!;
          const record = replay.records[replay.indexOf(p.containerInstanceArn)!]!;
          expect(inst.status).toBe('ACTIVE');
          expect(inst.agentConnected).toBe(true);
          for (const q of queries) expect(q.matches(record)).toBe(true);
          if (s.request.placementConstraints?.some((c) => c.type === 'distinctInstance'))
            expect(record.groups.has(group)).toBe(false);
          replay.reserve(record.index, demand, group);
          placedOn.set(p.containerInstanceArn, (placedOn.get(p.containerInstanceArn) ?? 0) + 1);
        }
        for (const [arn, n] of placedOn) {
          const inst = s.instances.find((i) => i.containerInstanceArn === arn)!;
          const before = remainingResources(inst, s.tasks, lookup);
          expect(resourceInteger(before, 'CPU') - n * demand.cpu).toBeGreaterThanOrEqual(0);
          expect(resourceInteger(before, 'MEMORY') - n * demand.memory).toBeGreaterThanOrEqual(0);
          const taken = new Set(resourceStringSet(before, 'PORTS').map(Number));
          const takenUdp = new Set(resourceStringSet(before, 'PORTS_UDP').map(Number));
          if (ports.tcpPorts.length + ports.udpPorts.length > 0) expect(n).toBe(1);
          for (const port of ports.tcpPorts) expect(taken.has(port)).toBe(false);
          for (const port of ports.udpPorts) expect(takenUdp.has(port)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('spread over zones keeps per-zone counts within 1 when capacity allows', () => {
    const balanced = fc.record({
      perZone: fc.tuple(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
      ),
      count: fc.integer({ min: 1, max: 60 }),
      after: fc.constantFrom<Pick<PlacementStrategy, 'type' | 'field'>[]>(
        [],
        [{ type: 'binpack', field: 'memory' }],
        [{ type: 'spread', field: 'instanceId' }],
        [{ type: 'random' }],
      ),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(balanced, ({ perZone, count, after, seed }) => {
        const instances = zones.flatMap((zone, z) =>
          Array.from({ length: perZone[z]! }, (_, i) =>
            instance(`${zone}-${i}`, { zone, cpu: 1e6, memory: 1e6 }),
          ),
        );
        const outcome = placeTasks(
          {
            taskDefinition: taskDefinition('web'),
            count,
            group,
            placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, ...after],
          },
          snapshot(instances),
          ctx(seed),
        );
        if (!isRight(outcome)) throw new Error('expected placements');
        const perZoneCount = zones.map(
          (zone) => outcome.right.placements.filter((p) => p.ec2InstanceId.startsWith(`${zone}-`)).length,
        );
        expect(Math.max(...perZoneCount) - Math.min(...perZoneCount)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('DAEMON: at most one task per instance; every instance is accounted for once', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const outcome = placeDaemonTasks(
          {
            ...s.request,
            placementConstraints: s.request.placementConstraints?.filter((c) => c.type === 'memberOf'),
          },
          snap(s),
        );
        if (!isRight(outcome)) throw new Error(outcome.left.message);
        const { placements, alreadyRunning, unplaceable, ineligible } = outcome.right;
        const arns = [...placements, ...alreadyRunning, ...unplaceable].map((p) => p.containerInstanceArn);
        expect(new Set(arns).size).toBe(arns.length);
        expect(arns.length + ineligible.reduce((n, r) => n + r.instanceCount, 0)).toBe(s.instances.length);
      }),
      { numRuns: 200 },
    );
  });

  it('scale-in picks distinct candidates, min(count, candidates) of them, deterministically', () => {
    fc.assert(
      fc.property(scenarioArb, strategyArb, (s, strategy) => {
        const request = { group, count: s.request.count, placementStrategy: strategy };
        const a = selectTasksToStop(request, snap(s), ctx(s.seed));
        expect(selectTasksToStop(request, snap(s), ctx(s.seed))).toEqual(a);
        if (!isRight(a)) throw new Error('expected a selection');
        const live = s.tasks.filter(
          (t) => t.group === group && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED',
        );
        expect(a.right).toHaveLength(Math.min(request.count, live.length));
        expect(new Set(a.right.map((t) => t.taskArn)).size).toBe(a.right.length);
      }),
      { numRuns: 200 },
    );
  });
});
