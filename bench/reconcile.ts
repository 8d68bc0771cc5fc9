/**
 * npm run bench -- reconcile
 * One full reconcile pass over 10,000 services with 100,000 tasks on 5,000
 * instances, against one shared ClusterState: steady state, and with 10% of
 * the services mid-deployment (each of those starts and stops tasks).
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { arns, type Deployment, type Service, type Task, type TaskDefinition } from '@baton-ecs/model';
import { newTask, reconcileService } from '@baton-ecs/reconciler';
import { ClusterState, mulberry32 } from '@baton-ecs/scheduler';
import { containerInstanceOf } from '@baton-ecs/testing';
import { machine } from './_machine.js';

const INSTANCES = 5_000;
const SERVICES = 10_000;
const PER_SERVICE = 10;
const FAMILIES = 500;
const now = Date.UTC(2024, 5, 1);
const cluster = 'bench';

function taskDefinition(family: string, revision: number): TaskDefinition {
  return {
    family,
    revision,
    taskDefinitionArn: arns.taskDefinition(family, revision),
    status: 'ACTIVE',
    networkMode: 'bridge',
    placementConstraints: [],
    tags: [],
    containerDefinitions: [
      {
        name: 'app',
        image: `registry.local/${family}:${revision}`,
        cpu: 64,
        memory: 256,
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        environment: [],
        stopTimeout: 30,
      },
    ],
  };
}

function build(midDeploymentShare: number) {
  const random = mulberry32(42);
  const taskDefinitions = new Map<string, TaskDefinition>();
  for (let f = 0; f < FAMILIES; f++) {
    for (const rev of [1, 2]) {
      const td = taskDefinition(`svc-${f}`, rev);
      taskDefinitions.set(td.taskDefinitionArn!, td);
    }
  }
  const instances = Array.from({ length: INSTANCES }, (_, i) =>
    containerInstanceOf(
      { id: `i-${i.toString(16).padStart(8, '0')}`, zone: `az-${i % 3}`, cpu: 16_384, memory: 65_536 },
      cluster,
      now - 86_400_000,
    ),
  );
  const services: Service[] = [];
  const allTasks: Task[] = [];
  let slot = 0;
  for (let s = 0; s < SERVICES; s++) {
    const name = `service-${s}`;
    const family = `svc-${s % FAMILIES}`;
    const v1 = arns.taskDefinition(family, 1);
    const v2 = arns.taskDefinition(family, 2);
    const deploying = s < SERVICES * midDeploymentShare;
    const old: Deployment = {
      id: `ecs-svc/1${String(s * 2).padStart(18, '0')}`,
      status: deploying ? 'ACTIVE' : 'PRIMARY',
      taskDefinition: v1,
      desiredCount: PER_SERVICE,
      pendingCount: 0,
      runningCount: PER_SERVICE,
      failedTasks: 0,
      createdAt: now - 3_600_000,
      updatedAt: now - 3_000_000,
      rolloutState: 'COMPLETED',
      // Its tasks have run: the circuit breaker's stage is 2, as every pass after the first records.
      breakerStage: 2,
    };
    const fresh: Deployment = {
      ...old,
      id: `ecs-svc/1${String(s * 2 + 1).padStart(18, '0')}`,
      status: 'PRIMARY',
      taskDefinition: v2,
      runningCount: 5,
      desiredCount: PER_SERVICE,
      rolloutState: 'IN_PROGRESS',
      createdAt: now - 60_000,
    };
    const service: Service = {
      serviceName: name,
      cluster,
      taskDefinition: deploying ? v2 : v1,
      desiredCount: PER_SERVICE,
      schedulingStrategy: 'REPLICA',
      launchType: 'EC2',
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
      placementConstraints: [],
      placementStrategy: [],
      loadBalancers: [],
      tags: [],
      status: 'ACTIVE',
      runningCount: PER_SERVICE,
      pendingCount: 0,
      deployments: deploying ? [fresh, old] : [old],
      events: [
        { id: 'e', createdAt: now - 60_000, message: `(service ${name}) has reached a steady state.` },
      ],
      serviceArn: arns.service(cluster, name),
    };
    services.push(service);
    const tasks: Task[] = [];
    const make = (deployment: Deployment, count: number) => {
      for (let k = 0; k < count; k++) {
        const instance = instances[slot++ % INSTANCES]!;
        const t = newTask({
          cluster,
          taskId: `${s.toString(16).padStart(8, '0')}${deployment.status[0]}${k.toString(16).padStart(23, '0')}`,
          group: `service:${name}`,
          startedBy: deployment.id,
          taskDefinitionArn: deployment.taskDefinition,
          taskDefinition: taskDefinitions.get(deployment.taskDefinition)!,
          instance,
          now: now - 600_000,
        });
        tasks.push({ ...t, lastStatus: 'RUNNING', startedAt: now - 590_000 });
      }
    };
    make(old, PER_SERVICE);
    if (deploying) make(fresh, 5);
    allTasks.push(...tasks);
  }
  void random;
  return { taskDefinitions, instances, services, allTasks };
}

async function pass(label: string, midDeploymentShare: number) {
  const world = build(midDeploymentShare);
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const state = ClusterState.fromSnapshot({
    instances: world.instances,
    tasks: world.allTasks,
    taskDefinitions: world.taskDefinitions,
  });
  const stateMs = performance.now() - t0;
  const random = mulberry32(7);
  let starts = 0;
  let stops = 0;
  // Garbage collection inside the pass (the pauses are part of the wall time).
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const service of world.services) {
    const plan = reconcileService(
      {
        service,
        taskDefinitions: world.taskDefinitions,
        // As the service controller passes them: the cluster state's own list of the service's tasks.
        tasks: (state.groupTasks(`service:${service.serviceName}`)?.all ?? []) as readonly Task[],
        cluster: state,
      },
      { now, random },
    );
    starts += plan.startTasks.length;
    stops += plan.stopTasks.length;
  }
  const fullPassMs = performance.now() - t1;
  const cpu = process.cpuUsage(cpu0);
  // GC entries reach the observer asynchronously: let them arrive, then stop observing.
  await new Promise((resolve) => setTimeout(resolve, 20));
  gcObserver.disconnect();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const result = {
    label,
    services: world.services.length,
    tasks: world.allTasks.length,
    instances: world.instances.length,
    fullPassMs: Math.round(fullPassMs * 10) / 10,
    cpuMs: Math.round(cpuMs * 10) / 10,
    gcMs: Math.round(gcMs * 10) / 10,
    perServiceUs: Math.round(((fullPassMs * 1000) / world.services.length) * 10) / 10,
    clusterStateBuildMs: Math.round(stateMs * 10) / 10,
    starts,
    stops,
  };
  console.log(JSON.stringify(result));
  return result;
}

if (process.env.RECONCILE_PROFILE) {
  // For profiling one kind of pass: RECONCILE_PROFILE=0 (steady) or 0.1.
  for (let i = 0; i < 3; i++) await pass('profile', Number(process.env.RECONCILE_PROFILE));
  process.exit(0);
}

// Warm-up (JIT), then the measured passes.
await pass('warm-up', 0.1);
const steady = await pass('steady', 0);
const deploying = await pass('10% mid-deployment', 0.1);
console.log(
  JSON.stringify({
    bench: 'reconcile',
    fullPassMs: Math.max(steady.fullPassMs, deploying.fullPassMs),
    steadyFullPassMs: steady.fullPassMs,
    deployingFullPassMs: deploying.fullPassMs,
    perServiceUs: deploying.perServiceUs,
    goalMs: 200,
    machine: machine(),
  }),
);
