// Placement throughput: services of 10–90 tasks, each with spread(attribute:ecs.availability-zone)
// + binpack(memory) + a memberOf constraint, placed one service after another into one
// ClusterState (as a reconcile pass does), over 500, 5,000 and 10,000 instances in 3 zones and
// 4 instance types with mixed free capacity (20 tasks per instance requested). The baseline is the
// linear scan (every filter over every instance for every task) on the first services of the
// 5,000-instance run, checked to decide exactly what the fast path decides.
//
//   npm run bench -- scheduler [--quick] [--no-baseline]
import { cpus } from 'node:os';
import { type PlacementStrategy, TaskDefinition } from '@baton-ecs/model';
import {
  type ClusterSnapshot,
  ClusterState,
  mulberry32,
  type PlacementRequest,
  placeTasks,
  placeTasksLinearScan,
  type RandomSource,
  type SchedulerInstance,
  type SchedulerTask,
} from '@baton-ecs/scheduler';
import { isRight } from 'fp-ts/lib/Either.js';

const quick = process.argv.includes('--quick');
const withBaseline = !process.argv.includes('--no-baseline');
const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const instanceTypes = [
  { type: 't3.xlarge', cpu: 4096, memory: 16384 },
  { type: 'm5.2xlarge', cpu: 8192, memory: 32768 },
  { type: 'c5.2xlarge', cpu: 8192, memory: 16384 },
  { type: 'r5.xlarge', cpu: 4096, memory: 32768 },
];
const memberOf = [
  'attribute:ecs.instance-type != t3.xlarge',
  'attribute:ecs.instance-type =~ "(m5|c5|r5)\\..*"',
  'attribute:ecs.os-type == linux and attribute:ecs.instance-type in [m5.2xlarge, r5.xlarge, c5.2xlarge]',
];
const strategy: Pick<PlacementStrategy, 'type' | 'field'>[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'binpack', field: 'memory' },
];
const tasksPerInstance = 20;

function taskDefinition(family: string, cpu: number, memory: number, hostPort?: number): TaskDefinition {
  return TaskDefinition.parse({
    family,
    taskDefinitionArn: `arn:aws:ecs:local:000000000000:task-definition/${family}:1`,
    containerDefinitions: [
      {
        name: 'app',
        image: 'busybox',
        cpu,
        memoryReservation: memory,
        portMappings: [{ containerPort: 8080, ...(hostPort === undefined ? {} : { hostPort }) }],
      },
    ],
  });
}

interface Workload {
  snapshot: ClusterSnapshot;
  requests: PlacementRequest[];
  tasks: number;
}

function workload(instanceCount: number, random: RandomSource): Workload {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)]!;
  const background = taskDefinition('background', 128, 1024);
  const taskDefinitions = new Map([[background.taskDefinitionArn!, background]]);
  const instances: SchedulerInstance[] = [];
  const tasks: SchedulerTask[] = [];
  for (let i = 0; i < instanceCount; i++) {
    const kind = pick(instanceTypes);
    const arn = `arn:aws:ecs:local:000000000000:container-instance/bench/i-${i}`;
    instances.push({
      containerInstanceArn: arn,
      ec2InstanceId: `i-${i}`,
      status: 'ACTIVE',
      agentConnected: true,
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: kind.cpu },
        { name: 'MEMORY', type: 'INTEGER', integerValue: kind.memory },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
      ],
      attributes: [
        { name: 'ecs.availability-zone', value: zones[i % zones.length] },
        { name: 'ecs.instance-type', value: kind.type },
        { name: 'ecs.os-type', value: 'linux' },
      ],
    });
    // Mixed free capacity: 0–60 % of each instance's memory already held.
    const held = Math.floor((random.next() * 0.6 * kind.memory) / 1024);
    for (let t = 0; t < held; t++) {
      tasks.push({
        taskArn: `arn:aws:ecs:local:000000000000:task/bench/bg-${i}-${t}`,
        taskDefinitionArn: background.taskDefinitionArn!,
        containerInstanceArn: arn,
        group: `service:background-${t % 50}`,
        desiredStatus: 'RUNNING',
        lastStatus: 'RUNNING',
      });
    }
  }
  const shapes = [
    [32, 128],
    [64, 256],
    [128, 256],
    [128, 512],
    [256, 512],
  ] as const;
  const requests: PlacementRequest[] = [];
  let total = 0;
  for (let s = 0; total < instanceCount * tasksPerInstance; s++) {
    const count = Math.min(10 + Math.floor(random.next() * 81), instanceCount * tasksPerInstance - total);
    const [cpu, memory] = pick(shapes);
    // One service in ten publishes a static host port.
    const td = taskDefinition(`svc-${s}`, cpu, memory, s % 10 === 0 ? 10000 + s : undefined);
    taskDefinitions.set(td.taskDefinitionArn!, td);
    requests.push({
      taskDefinition: td,
      count,
      group: `service:svc-${s}`,
      placementConstraints: [{ type: 'memberOf', expression: pick(memberOf) }],
      placementStrategy: strategy,
    });
    total += count;
  }
  return { snapshot: { instances, tasks, taskDefinitions }, requests, tasks: total };
}

type Place = typeof placeTasks;

interface Run {
  placed: number;
  unplaced: number;
  ms: number;
  /** CPU time of this process during the placements: steadier than wall time on a busy machine. */
  cpuMs: number;
  buildMs: number;
  decisions: string[];
}

function run(w: Workload, requests: readonly PlacementRequest[], place: Place, keepDecisions = false): Run {
  const random = mulberry32(42);
  const t0 = performance.now();
  const state = ClusterState.fromSnapshot(w.snapshot);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  let placed = 0;
  let unplaced = 0;
  const decisions: string[] = [];
  for (const request of requests) {
    const outcome = place(request, state, { random });
    if (isRight(outcome)) {
      placed += outcome.right.placements.length;
      unplaced += outcome.right.unplacedCount;
      if (keepDecisions) for (const p of outcome.right.placements) decisions.push(p.ec2InstanceId);
    } else {
      unplaced += request.count;
      if (keepDecisions) decisions.push(outcome.left.type);
    }
  }
  const t2 = performance.now();
  const c2 = process.cpuUsage(c1);
  return { placed, unplaced, ms: t2 - t1, cpuMs: (c2.user + c2.system) / 1000, buildMs: t1 - t0, decisions };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (placed: number, ms: number) => Math.round((placed / ms) * 1000);

const sizes = quick ? [500, 5000] : [500, 5000, 10000];
const repeats = quick ? 1 : 3;
const results: {
  instances: number;
  tasks: number;
  placed: number;
  unplaced: number;
  placeMs: number;
  cpuMs: number;
  buildMs: number;
  placementsPerSecond: number;
}[] = [];
// Warm the JIT on a small cluster first.
run(workload(500, mulberry32(7)), workload(500, mulberry32(7)).requests, placeTasks);
let at5000: Workload | undefined;
for (const n of sizes) {
  const w = workload(n, mulberry32(n));
  if (n === 5000) at5000 = w;
  const runs = Array.from({ length: repeats }, () => run(w, w.requests, placeTasks));
  const ms = median(runs.map((r) => r.ms));
  const { placed, unplaced } = runs[0]!;
  const result = {
    instances: n,
    tasks: w.tasks,
    placed,
    unplaced,
    placeMs: Math.round(ms),
    cpuMs: Math.round(median(runs.map((r) => r.cpuMs))),
    buildMs: Math.round(median(runs.map((r) => r.buildMs))),
    placementsPerSecond: rate(placed, ms),
  };
  results.push(result);
  console.log(
    `placeTasks      ${String(n).padStart(6)} instances  ${String(w.tasks).padStart(7)} tasks in ${w.requests.length} services: ` +
      `${placed} placed, ${unplaced} unplaced in ${result.placeMs} ms (${result.cpuMs} ms CPU; +${result.buildMs} ms ClusterState build) → ${result.placementsPerSecond.toLocaleString('en')} placements/s`,
  );
}

// Baseline: the linear scan on the first services of the 5,000-instance workload.
const w = at5000!;
const sample: PlacementRequest[] = [];
for (let n = 0, i = 0; n < (quick ? 1000 : 3000) && i < w.requests.length; i++) {
  sample.push(w.requests[i]!);
  n += w.requests[i]!.count;
}
const baseline = run(
  w,
  withBaseline ? sample : sample.slice(0, 1),
  withBaseline ? placeTasksLinearScan : placeTasks,
  true,
);
const fastSample = run(w, sample, placeTasks, true);
const same = JSON.stringify(baseline.decisions) === JSON.stringify(fastSample.decisions);
const baselineRate = rate(baseline.placed, baseline.ms);
console.log(
  `linear scan       5000 instances  ${String(baseline.placed + baseline.unplaced).padStart(7)} tasks in ${sample.length} services: ` +
    `${baseline.placed} placed in ${Math.round(baseline.ms)} ms → ${baselineRate.toLocaleString('en')} placements/s ` +
    `(same decisions as placeTasks: ${same})`,
);
if (!same) process.exitCode = 1;

const main = results.find((r) => r.instances === 5000)!;
console.log(
  JSON.stringify({
    bench: 'scheduler',
    placementsPerSecond: main.placementsPerSecond,
    baselinePlacementsPerSecond: baselineRate,
    instances: 5000,
    tasks: main.tasks,
    placed: main.placed,
    placeMs: main.placeMs,
    buildMs: main.buildMs,
    totalMs: main.placeMs + main.buildMs,
    speedup: Math.round(main.placementsPerSecond / baselineRate),
    baselineTasks: baseline.placed + baseline.unplaced,
    baselineSameDecisions: same,
    sizes: results,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
  }),
);
