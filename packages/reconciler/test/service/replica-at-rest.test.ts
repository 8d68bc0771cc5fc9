import { arns, type Deployment, type Service, type Task, type TaskDefinition } from '@baton-ecs/model';
import { ClusterState, mulberry32, type SchedulerInstance } from '@baton-ecs/scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyTasks } from '../../src/service/classify.js';
import { ServicePass } from '../../src/service/pass.js';
import { type ReplicaArgs, reconcileReplicasInFull, replicasAtRest } from '../../src/service/replica.js';

/**
 * reconcileReplicas skips its rules when replicasAtRest says the service is at rest. That shortcut is
 * only sound if the rules, run in full on such a service, decide nothing: no stop, no start, no event.
 * Random services (desired count, limits, tasks of the PRIMARY and an old deployment in every state,
 * on ACTIVE, DRAINING and disconnected instances, with and without health checks) check it.
 */
const now = Date.UTC(2026, 0, 1);
const cluster = 'rest';

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

const instanceStates = ['ACTIVE', 'DRAINING', 'DISCONNECTED'] as const;
function instance(i: number, state: (typeof instanceStates)[number]): SchedulerInstance {
  return {
    containerInstanceArn: arns.containerInstance(cluster, `i-${i}`),
    ec2InstanceId: `i-${i}`,
    status: state === 'DRAINING' ? 'DRAINING' : 'ACTIVE',
    agentConnected: state !== 'DISCONNECTED',
    ...(state === 'DISCONNECTED' ? { agentDisconnectedAt: now - 60_000 } : {}),
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 },
    ],
    attributes: [{ name: 'ecs.availability-zone', value: `az-${i % 2}` }],
  } as SchedulerInstance;
}

const taskShape = fc.record({
  old: fc.boolean(),
  lastStatus: fc.constantFrom('PENDING', 'RUNNING', 'RUNNING', 'RUNNING', 'STOPPED'),
  stopRequested: fc.boolean(),
  startedAgoMs: fc.constantFrom(1_000, 39_000, 41_000, 600_000),
  healthStatus: fc.constantFrom('HEALTHY', 'HEALTHY', 'UNHEALTHY', 'UNKNOWN'),
  instance: fc.nat(3),
});
type TaskShape = typeof taskShape extends fc.Arbitrary<infer T> ? T : never;

const scenario = fc.record({
  desiredCount: fc.nat(6),
  minimumHealthyPercent: fc.constantFrom(0, 50, 100),
  maximumPercent: fc.constantFrom(100, 150, 200),
  healthCheck: fc.boolean(),
  gracePeriodSeconds: fc.constantFrom(0, 0, 120),
  instanceStates: fc.array(fc.constantFrom(...instanceStates, 'ACTIVE', 'ACTIVE'), {
    minLength: 4,
    maxLength: 4,
  }),
  // Most runs start from a service at rest (desiredCount healthy PRIMARY tasks), then perturb it.
  atRestBase: fc.boolean(),
  extra: fc.array(taskShape, { maxLength: 4 }),
  mutate: fc.array(fc.tuple(fc.nat(6), taskShape), { maxLength: 2 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function args(s: Scenario): ReplicaArgs {
  const primaryTd = taskDefinition(2, s.healthCheck);
  const oldTd = taskDefinition(1, s.healthCheck);
  const deployment = (id: string, td: TaskDefinition, status: Deployment['status']): Deployment => ({
    id,
    status,
    taskDefinition: td.taskDefinitionArn!,
    desiredCount: s.desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now - 3_600_000,
    updatedAt: now - 3_600_000,
    rolloutState: 'IN_PROGRESS',
  });
  const primary = deployment('ecs-svc/2', primaryTd, 'PRIMARY');
  const old = deployment('ecs-svc/1', oldTd, 'ACTIVE');
  const instances = s.instanceStates.map((state, i) => instance(i, state));
  const shapes: TaskShape[] = [];
  if (s.atRestBase)
    for (let i = 0; i < s.desiredCount; i++)
      shapes.push({
        old: false,
        lastStatus: 'RUNNING',
        stopRequested: false,
        startedAgoMs: 600_000,
        healthStatus: 'HEALTHY',
        instance: i % 4,
      });
  shapes.push(...s.extra);
  for (const [at, shape] of s.mutate) if (at < shapes.length) shapes[at] = shape;
  const tasks: Task[] = shapes.map((shape, k) => {
    const td = shape.old ? oldTd : primaryTd;
    const on = instances[shape.instance]!;
    const started = shape.lastStatus === 'RUNNING' || shape.lastStatus === 'STOPPED';
    return {
      taskArn: arns.task(cluster, `t${k}`),
      clusterArn: arns.cluster(cluster),
      taskDefinitionArn: td.taskDefinitionArn!,
      containerInstanceArn: on.containerInstanceArn,
      group: 'service:web',
      startedBy: shape.old ? old.id : primary.id,
      launchType: 'EC2',
      overrides: { containerOverrides: [] },
      desiredStatus: shape.stopRequested || shape.lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      lastStatus: shape.lastStatus,
      healthStatus: shape.healthStatus,
      containers: [],
      createdAt: now - shape.startedAgoMs - 1_000 + k,
      ...(started ? { startedAt: now - shape.startedAgoMs } : {}),
      ...(shape.lastStatus === 'STOPPED' ? { stoppedAt: now - 500 } : {}),
      version: 1,
      tags: [],
    } as Task;
  });
  const service = {
    serviceName: 'web',
    cluster,
    serviceArn: arns.service(cluster, 'web'),
    taskDefinition: primaryTd.taskDefinitionArn!,
    desiredCount: s.desiredCount,
    schedulingStrategy: 'REPLICA',
    launchType: 'EC2',
    deploymentConfiguration: {
      minimumHealthyPercent: s.minimumHealthyPercent,
      maximumPercent: s.maximumPercent,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    ...(s.gracePeriodSeconds > 0 ? { healthCheckGracePeriodSeconds: s.gracePeriodSeconds } : {}),
    placementConstraints: [],
    placementStrategy: [],
    loadBalancers: [],
    status: 'ACTIVE',
    runningCount: 0,
    pendingCount: 0,
    deployments: [primary, old],
    events: [],
    tags: [],
  } as Service;
  const taskDefinitions = new Map([primaryTd, oldTd].map((td) => [td.taskDefinitionArn!, td]));
  const state = ClusterState.fromSnapshot({ instances, tasks, taskDefinitions });
  const input = { service, taskDefinitions, tasks, cluster: state };
  const ctx = { now, random: mulberry32(1) };
  const pass = new ServicePass(input, ctx, 'web');
  return {
    pass,
    classification: classifyTasks(input, ctx, pass.state),
    primary,
    launchTaskDefinition: primaryTd,
    desiredCount: s.desiredCount,
    launchesBlocked: false,
    freezeOldDeployments: false,
  };
}

describe("classifying against the pass's ClusterState", () => {
  it('a property: classifies exactly as looking each instance up by ARN does', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const a = args(s);
        const { input, ctx, state } = a.pass;
        const byLookup = classifyTasks(input, ctx, (arn) => a.pass.instance(arn));
        expect(classifyTasks(input, ctx, state)).toEqual(byLookup);
        expect(a.classification).toEqual(byLookup);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a REPLICA service at rest', () => {
  it('a property: when replicasAtRest says so, the full rules stop, start and say nothing', () => {
    let atRest = 0;
    let notAtRest = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const a = args(s);
        if (!replicasAtRest(a)) {
          notAtRest++;
          return;
        }
        atRest++;
        reconcileReplicasInFull(a);
        expect([...a.pass.stops.values()]).toEqual([]);
        expect(a.pass.starts).toEqual([]);
        expect(a.pass.messages).toEqual([]);
      }),
      { numRuns: 1500 },
    );
    // Both sides of the shortcut were exercised.
    expect(atRest).toBeGreaterThan(50);
    expect(notAtRest).toBeGreaterThan(50);
  });

  it('is not at rest when a task is missing, surplus, old, draining or unhealthy', () => {
    const base: Scenario = {
      desiredCount: 3,
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      healthCheck: true,
      gracePeriodSeconds: 0,
      instanceStates: ['ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'],
      atRestBase: true,
      extra: [],
      mutate: [],
    };
    const healthy: TaskShape = {
      old: false,
      lastStatus: 'RUNNING',
      stopRequested: false,
      startedAgoMs: 600_000,
      healthStatus: 'HEALTHY',
      instance: 0,
    };
    expect(replicasAtRest(args(base))).toBe(true);
    expect(replicasAtRest(args({ ...base, desiredCount: 4 }))).toBe(false);
    expect(replicasAtRest(args({ ...base, extra: [healthy] }))).toBe(false);
    expect(replicasAtRest(args({ ...base, mutate: [[0, { ...healthy, old: true }]] }))).toBe(false);
    expect(replicasAtRest(args({ ...base, mutate: [[0, { ...healthy, instance: 3 }]] }))).toBe(false);
    expect(replicasAtRest(args({ ...base, mutate: [[0, { ...healthy, healthStatus: 'UNHEALTHY' }]] }))).toBe(
      false,
    );
  });
});
