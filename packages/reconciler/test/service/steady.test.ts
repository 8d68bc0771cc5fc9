import { arns, type Deployment, type Service, type Task, type TaskDefinition } from '@baton-ecs/model';
import { ClusterState, mulberry32, type SchedulerInstance } from '@baton-ecs/scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lateFailureWindowMs } from '../../src/service/failures.js';
import { reconcileService } from '../../src/service/reconcile-service.js';
import { serviceMessages } from '../../src/service/service-events.js';
import { steadyPlan } from '../../src/service/steady.js';

/**
 * steadyPlan decides "nothing to do" from the ClusterState's counts of a service's tasks, never reading
 * the live ones. It is only sound if, whenever it returns a plan, the full pass (the same input with a
 * copy of the task list, which the shortcut does not recognise) returns the very same plan. Random
 * services near their steady state check it: every field the shortcut reads is perturbed (task status,
 * health, start time, deployment, task definition, instance state; deployment counts, rollout state,
 * breaker stage, failure cursors; events; STOPPED tasks old and new, failed and not).
 */
const now = Date.UTC(2026, 0, 1);
const cluster = 'steady';
const name = 'web';

function taskDefinition(revision: number, healthCheck: boolean): TaskDefinition {
  return {
    family: 'web',
    revision,
    taskDefinitionArn: arns.taskDefinition('web', revision),
    status: 'ACTIVE',
    networkMode: 'bridge',
    placementConstraints: [],
    tags: [],
    containerDefinitions: [
      {
        name: 'web',
        image: 'busybox',
        cpu: 64,
        memory: 128,
        essential: true,
        portMappings: [],
        environment: [],
        stopTimeout: 30,
        ...(healthCheck ? { healthCheck: { command: ['CMD', 'true'] } } : {}),
      },
    ] as TaskDefinition['containerDefinitions'],
  };
}

const instanceStates = ['ACTIVE', 'DRAINING', 'DISCONNECTED', 'LOST', 'INACTIVE'] as const;
function instance(i: number, state: (typeof instanceStates)[number]): SchedulerInstance {
  return {
    containerInstanceArn: arns.containerInstance(cluster, `i-${i}`),
    ec2InstanceId: `i-${i}`,
    status: state === 'DRAINING' || state === 'INACTIVE' ? state : 'ACTIVE',
    agentConnected: state !== 'DISCONNECTED' && state !== 'LOST',
    ...(state === 'DISCONNECTED' ? { agentDisconnectedAt: now - 60_000 } : {}),
    ...(state === 'LOST' ? { agentDisconnectedAt: now - 3_600_000 } : {}),
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 },
    ],
    attributes: [{ name: 'ecs.availability-zone', value: `az-${i % 2}` }],
  } as SchedulerInstance;
}

const taskShape = fc.record({
  deployment: fc.constantFrom('primary', 'primary', 'old', 'none'),
  otherTaskDefinition: fc.boolean(),
  lastStatus: fc.constantFrom('PENDING', 'RUNNING', 'RUNNING', 'STOPPED'),
  stopRequested: fc.boolean(),
  started: fc.constantFrom(true, true, false),
  startedAgoMs: fc.constantFrom(1_000, 39_000, 41_000, 600_000),
  healthStatus: fc.constantFrom('HEALTHY', 'HEALTHY', 'UNHEALTHY', 'UNKNOWN'),
  stopCode: fc.constantFrom(
    undefined,
    'EssentialContainerExited',
    'TaskFailedToStart',
    'ServiceSchedulerInitiated',
    'UserInitiated',
  ),
  // Relative to the failure cursors' watermark.
  stoppedAgoMs: fc.constantFrom<number>(1_000, 200_000, 3_600_000),
  instance: fc.nat(5),
});
type TaskShape = typeof taskShape extends fc.Arbitrary<infer T> ? T : never;

const healthyTask: TaskShape = {
  deployment: 'primary',
  otherTaskDefinition: false,
  lastStatus: 'RUNNING',
  stopRequested: false,
  started: true,
  startedAgoMs: 600_000,
  healthStatus: 'HEALTHY',
  stopCode: undefined,
  stoppedAgoMs: 0,
  instance: 0,
};
const taskKeys = Object.keys(healthyTask) as (keyof TaskShape)[];
/** A healthy task with one to three of its fields drawn at random. */
const nearHealthyTask = fc
  .tuple(taskShape, fc.array(fc.constantFrom(...taskKeys), { minLength: 1, maxLength: 3 }))
  .map(([drawn, keys]) => {
    const t: TaskShape = { ...healthyTask };
    for (const k of keys) (t as Record<string, unknown>)[k] = drawn[k];
    return t;
  });
const someTask = fc.oneof(taskShape, nearHealthyTask, nearHealthyTask);

const scenario = fc.record({
  desiredCount: fc.nat(5),
  healthCheck: fc.boolean(),
  gracePeriodSeconds: fc.constantFrom(0, 0, 120),
  instanceStates: fc.array(fc.constantFrom(...instanceStates, 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE'), {
    minLength: 4,
    maxLength: 4,
  }),
  extra: fc.array(someTask, { maxLength: 3 }),
  mutate: fc.array(fc.tuple(fc.nat(5), someTask), { maxLength: 2 }),
  // The service record: mostly as a steady pass leaves it, sometimes not.
  status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'),
  runningCountOff: fc.constantFrom(0, 0, 0, 1),
  pendingCount: fc.constantFrom(0, 0, 0, 1),
  rolloutState: fc.constantFrom('COMPLETED', 'COMPLETED', 'COMPLETED', 'IN_PROGRESS', 'FAILED'),
  breakerStage: fc.constantFrom(2, 2, 1, undefined),
  primaryCountsOff: fc.constantFrom(0, 0, 0, 1),
  failedTasks: fc.constantFrom(0, 0, 0, 1),
  healthyTaskIds: fc.constantFrom(undefined, undefined, undefined, ['t0']),
  oldDeployment: fc.constantFrom('none', 'none', 'INACTIVE', 'ACTIVE', 'INACTIVE-running'),
  // Failure cursors (deployment and service): none, or a watermark some time ago.
  countedThroughAgoMs: fc.constantFrom<number | undefined>(undefined, 100_000, 1_000_000),
  reportedThroughAgoMs: fc.constantFrom<number | undefined>(undefined, 100_000, 1_000_000),
  events: fc.constantFrom('steady', 'steady', 'steady', 'none', 'other', 'steady-old', 'steady-detail'),
  taskDefinitionRef: fc.constantFrom('arn', 'arn', 'arn', 'family'),
  extras: fc.constantFrom('none', 'none', 'none', 'none', 'throttle', 'loadBalancer', 'force', 'daemon'),
  breakerEnabled: fc.boolean(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const perturbable = [
  'gracePeriodSeconds',
  'instanceStates',
  'extra',
  'extra',
  'extra',
  'mutate',
  'mutate',
  'mutate',
  'status',
  'runningCountOff',
  'pendingCount',
  'rolloutState',
  'breakerStage',
  'primaryCountsOff',
  'failedTasks',
  'healthyTaskIds',
  'oldDeployment',
  'countedThroughAgoMs',
  'reportedThroughAgoMs',
  'events',
  'taskDefinitionRef',
  'extras',
  'breakerEnabled',
] as const;

/** A steady service, with at most a few of its fields drawn at random (else few runs would be at rest). */
const nearSteady = fc
  .tuple(scenario, fc.array(fc.constantFrom(...perturbable), { maxLength: 3 }))
  .map(([drawn, keys]) => {
    const s: Scenario = { ...steadyBase(), desiredCount: drawn.desiredCount, healthCheck: drawn.healthCheck };
    for (const k of keys) (s as Record<string, unknown>)[k] = drawn[k];
    return s;
  });

function steadyBase(): Scenario {
  return {
    desiredCount: 3,
    healthCheck: false,
    gracePeriodSeconds: 0,
    instanceStates: ['ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'],
    extra: [],
    mutate: [],
    status: 'ACTIVE',
    runningCountOff: 0,
    pendingCount: 0,
    rolloutState: 'COMPLETED',
    breakerStage: 2,
    primaryCountsOff: 0,
    failedTasks: 0,
    healthyTaskIds: undefined,
    oldDeployment: 'INACTIVE',
    countedThroughAgoMs: undefined,
    reportedThroughAgoMs: undefined,
    events: 'steady',
    taskDefinitionRef: 'arn',
    extras: 'none',
    breakerEnabled: true,
  };
}

function world(s: Scenario) {
  const primaryTd = taskDefinition(2, s.healthCheck);
  const oldTd = taskDefinition(1, s.healthCheck);
  const D = s.desiredCount;
  const primary: Deployment = {
    id: 'ecs-svc/2',
    status: 'PRIMARY',
    taskDefinition: primaryTd.taskDefinitionArn!,
    desiredCount: D,
    pendingCount: 0,
    runningCount: D + s.primaryCountsOff,
    failedTasks: s.failedTasks,
    createdAt: now - 3_600_000,
    updatedAt: now - 3_600_000,
    rolloutState: s.rolloutState,
    ...(s.breakerStage !== undefined ? { breakerStage: s.breakerStage } : {}),
    ...(s.healthyTaskIds ? { healthyTaskIds: s.healthyTaskIds } : {}),
    ...(s.countedThroughAgoMs !== undefined
      ? { failuresCountedThrough: now - s.countedThroughAgoMs, failuresCountedRecently: [] }
      : {}),
  } as Deployment;
  const old: Deployment = {
    id: 'ecs-svc/1',
    status: s.oldDeployment === 'ACTIVE' ? 'ACTIVE' : 'INACTIVE',
    taskDefinition: oldTd.taskDefinitionArn!,
    desiredCount: 0,
    pendingCount: 0,
    runningCount: s.oldDeployment === 'INACTIVE-running' ? 1 : 0,
    failedTasks: 0,
    createdAt: now - 7_200_000,
    updatedAt: now - 3_600_000,
    rolloutState: 'COMPLETED',
    breakerStage: 2,
  };
  const instances = s.instanceStates.map((state, i) => instance(i, state));
  const unknownInstance = arns.containerInstance(cluster, 'i-gone');
  const shapes: TaskShape[] = [];
  for (let i = 0; i < D; i++) shapes.push({ ...healthyTask, instance: i % 4 });
  shapes.push(...s.extra);
  for (const [at, shape] of s.mutate) if (at < shapes.length) shapes[at] = shape;
  const watermark = now - 100_000;
  const tasks: Task[] = shapes.map((shape, k) => {
    const deployment = shape.deployment === 'old' ? old : primary;
    const td = (shape.deployment === 'old') !== shape.otherTaskDefinition ? oldTd : primaryTd;
    const stopped = shape.lastStatus === 'STOPPED';
    const started = shape.started && shape.lastStatus !== 'PENDING';
    return {
      taskArn: arns.task(cluster, `t${k}`),
      clusterArn: arns.cluster(cluster),
      taskDefinitionArn: td.taskDefinitionArn!,
      containerInstanceArn:
        shape.instance === 5 ? unknownInstance : instances[shape.instance % 4]!.containerInstanceArn,
      group: `service:${name}`,
      ...(shape.deployment === 'none' ? {} : { startedBy: deployment.id }),
      launchType: 'EC2',
      overrides: { containerOverrides: [] },
      desiredStatus: shape.stopRequested || stopped ? 'STOPPED' : 'RUNNING',
      lastStatus: shape.lastStatus,
      healthStatus: shape.healthStatus,
      containers: [],
      createdAt: now - shape.startedAgoMs - 1_000 + k,
      ...(started ? { startedAt: now - shape.startedAgoMs } : {}),
      ...(stopped ? { stoppedAt: watermark + 50_000 - shape.stoppedAgoMs } : {}),
      ...(stopped && shape.stopCode
        ? { stopCode: shape.stopCode, stoppedReason: 'Essential container exited' }
        : {}),
      version: 1,
      tags: [],
    } as Task;
  });
  const events: Service['events'] = [];
  if (s.events !== 'none') {
    events.push({
      id: 'e1',
      createdAt: now - (s.events === 'steady-old' ? 7 * 3_600_000 : 60_000),
      message:
        s.events === 'other'
          ? `(service ${name}) has started 1 task: (task t0).`
          : serviceMessages.steadyState(name),
      ...(s.events === 'steady-detail' ? { detail: 'more' } : {}),
    });
  }
  const service = {
    serviceName: name,
    cluster,
    serviceArn: arns.service(cluster, name),
    taskDefinition: s.taskDefinitionRef === 'family' ? 'web' : primaryTd.taskDefinitionArn!,
    desiredCount: D,
    schedulingStrategy: s.extras === 'daemon' ? 'DAEMON' : 'REPLICA',
    launchType: 'EC2',
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: s.breakerEnabled, rollback: s.breakerEnabled },
    },
    ...(s.gracePeriodSeconds > 0 ? { healthCheckGracePeriodSeconds: s.gracePeriodSeconds } : {}),
    placementConstraints: [],
    placementStrategy: [],
    loadBalancers:
      s.extras === 'loadBalancer'
        ? [{ targetGroupArn: 'arn:aws:elasticloadbalancing:tg/web', containerName: 'web', containerPort: 80 }]
        : [],
    status: s.status,
    runningCount: D + s.runningCountOff,
    pendingCount: s.pendingCount,
    deployments: s.oldDeployment === 'none' ? [primary] : [primary, old],
    events,
    tags: [],
    ...(s.reportedThroughAgoMs !== undefined
      ? { failuresReportedThrough: now - s.reportedThroughAgoMs, failuresReportedRecently: [] }
      : {}),
    ...(s.extras === 'throttle'
      ? {
          launchThrottle: {
            taskDefinition: primaryTd.taskDefinitionArn!,
            consecutiveFailures: 1,
            countedThrough: now - 1_000_000,
          },
        }
      : {}),
    ...(s.extras === 'force' ? { forceNewDeploymentRequestedAt: now - 1_000 } : {}),
  } as Service;
  const taskDefinitions = new Map([primaryTd, oldTd].map((td) => [td.taskDefinitionArn!, td]));
  return { service, taskDefinitions, tasks, instances };
}

/** Both paths, each against its own state built from the same records. */
function bothPaths(s: Scenario) {
  const w = world(s);
  const ctx = () => ({ now, random: mulberry32(3) });
  const fast = ClusterState.fromSnapshot(w);
  const shortcut = steadyPlan(
    { ...w, tasks: fast.groupTasks(`service:${name}`)?.all as readonly Task[], cluster: fast },
    ctx(),
  );
  const full = ClusterState.fromSnapshot(w);
  const fullPlan = reconcileService({ ...w, tasks: [...w.tasks], cluster: full }, ctx());
  return { shortcut, fullPlan, fast, w };
}

describe("a service at rest, from the cluster state's counts (steadyPlan)", () => {
  it('a property: whenever the shortcut gives a plan, the full pass gives the very same one', () => {
    let taken = 0;
    let declined = 0;
    fc.assert(
      fc.property(nearSteady, (s) => {
        const { shortcut, fullPlan } = bothPaths(s);
        if (shortcut === undefined) {
          declined++;
          return;
        }
        taken++;
        expect(shortcut).toEqual(fullPlan);
        expect(fullPlan.service).toBe(shortcut.service);
      }),
      { numRuns: 3000 },
    );
    // Both sides were exercised.
    expect(taken).toBeGreaterThan(50);
    expect(declined).toBeGreaterThan(50);
  });

  const base = steadyBase();

  it('takes a steady service, and returns the service object itself', () => {
    const { shortcut, fullPlan, w } = bothPaths(base);
    expect(shortcut).toBeDefined();
    expect(shortcut!.service).toBe(w.service);
    expect(fullPlan).toEqual(shortcut);
  });

  it("declines when the task list is not the state's own", () => {
    const w = world(base);
    const state = ClusterState.fromSnapshot(w);
    expect(
      steadyPlan({ ...w, tasks: w.tasks, cluster: state }, { now, random: mulberry32(1) }),
    ).toBeUndefined();
  });

  it('declines a new failure, a task on a DRAINING instance, one starting, and a stale breaker stage', () => {
    const stopped: TaskShape = {
      deployment: 'primary',
      otherTaskDefinition: false,
      lastStatus: 'STOPPED',
      stopRequested: true,
      started: true,
      startedAgoMs: 600_000,
      healthStatus: 'UNKNOWN',
      stopCode: 'EssentialContainerExited',
      stoppedAgoMs: 1_000,
      instance: 0,
    };
    expect(bothPaths({ ...base, extra: [stopped] }).shortcut).toBeUndefined();
    // The same failure, long seen by both cursors: still at rest.
    const seen = {
      ...base,
      extra: [{ ...stopped, stoppedAgoMs: 3_600_000 }],
      countedThroughAgoMs: 100_000,
      reportedThroughAgoMs: 100_000,
    };
    expect(bothPaths(seen).shortcut).toBeDefined();
    expect(
      bothPaths({
        ...base,
        mutate: [[0, { ...stopped, lastStatus: 'RUNNING', stopRequested: false, instance: 3 }]],
      }).shortcut,
    ).toBeUndefined();
    expect(
      bothPaths({
        ...base,
        mutate: [[0, { ...stopped, lastStatus: 'RUNNING', stopRequested: false, startedAgoMs: 1_000 }]],
      }).shortcut,
    ).toBeUndefined();
    expect(bothPaths({ ...base, breakerStage: undefined }).shortcut).toBeUndefined();
    // Unhealthy (with a health check), on an instance the state does not know, never started.
    const hc = { ...base, healthCheck: true };
    expect(
      bothPaths({ ...hc, mutate: [[1, { ...healthyTask, healthStatus: 'UNHEALTHY' }]] }).shortcut,
    ).toBeUndefined();
    expect(
      bothPaths({ ...hc, mutate: [[1, { ...healthyTask, healthStatus: 'UNKNOWN' }]] }).shortcut,
    ).toBeUndefined();
    expect(bothPaths({ ...base, mutate: [[1, { ...healthyTask, instance: 5 }]] }).shortcut).toBeUndefined();
    expect(
      bothPaths({ ...base, mutate: [[1, { ...healthyTask, started: false }]] }).shortcut,
    ).toBeUndefined();
    // A launch failure both cursors have seen still throttles launches (launchThrottle is not kept yet).
    const failedToStart: TaskShape = {
      ...stopped,
      started: false,
      stopCode: 'TaskFailedToStart',
      stoppedAgoMs: 3_600_000,
    };
    expect(bothPaths({ ...seen, extra: [failedToStart] }).shortcut).toBeUndefined();
    expect(lateFailureWindowMs).toBeLessThan(3_600_000 - 100_000);
  });
});
