// The deployment circuit breaker with a revision whose container exits at once, fed the task records a
// real engine produced (fixtures/exit-at-once-tasks.json: Baton's agent on Docker, desiredCount 1,
// `sh -c 'exit 1'`, from packages/controller/test/e2e/circuit-breaker.e2e.test.ts). The agent saw some
// of those tasks RUNNING for an instant (startedAt set) and others not (stopped before RUNNING); the
// breaker used to count each kind apart against the threshold and let 5 to 9 tasks fail instead of 3.
import { readFileSync } from 'node:fs';
import { arns, parseService, type Service, Task, type TaskDefinition } from '@baton-ecs/model';
import { mulberry32, type SchedulerInstance } from '@baton-ecs/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { circuitBreakerReasons, lateFailureWindowMs, reconcileService } from '../../src/index.js';

const recorded: unknown[] = JSON.parse(
  readFileSync(new URL('./fixtures/exit-at-once-tasks.json', import.meta.url), 'utf8'),
);
const tasks = recorded.map((t) => Task.parse(t));
const first = tasks[0]!;
const deploymentId = first.startedBy!;
const taskDefinitionArn = first.taskDefinitionArn;

const td: TaskDefinition = {
  family: 'breaker-first',
  revision: 1,
  taskDefinitionArn,
  status: 'ACTIVE',
  networkMode: 'bridge',
  placementConstraints: [],
  tags: [],
  containerDefinitions: [
    {
      name: 'httpd',
      image: 'baton-test/busybox:1',
      cpu: 0,
      memory: 32,
      essential: true,
      command: ['sh', '-c', 'exit 1'],
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
      environment: [],
      stopTimeout: 2,
    },
  ] as TaskDefinition['containerDefinitions'],
};

const instance: SchedulerInstance = {
  containerInstanceArn: first.containerInstanceArn!,
  ec2InstanceId: 'engine-1',
  status: 'ACTIVE',
  agentConnected: true,
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 1024 },
  ],
  attributes: [{ name: 'ecs.availability-zone', value: 'az-1' }],
};

const createdAt = first.createdAt! - 1;
// CreateService's request with the deployment it started: the model's parser fills in ECS's defaults.
const parsedService = parseService({
  serviceName: 'first',
  cluster: 'c',
  serviceArn: arns.service('c', 'first'),
  taskDefinition: taskDefinitionArn,
  desiredCount: 1,
  launchType: 'EC2',
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
  status: 'ACTIVE',
  deployments: [
    {
      id: deploymentId,
      status: 'PRIMARY',
      taskDefinition: taskDefinitionArn,
      desiredCount: 1,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      createdAt,
      updatedAt: createdAt,
      rolloutState: 'IN_PROGRESS',
      launchType: 'EC2',
    },
  ],
  createdAt,
});
if (isLeft(parsedService)) throw new Error(parsedService.left.message);
const service: Service = parsedService.right.value;

/** Runs one pass per step, each seeing the tasks given; the deployment after each. */
function passes(steps: readonly (readonly Task[])[]) {
  return servicePasses(steps).map((s) => s.deployments.find((d) => d.id === deploymentId)!);
}

/** Runs one pass per step, each seeing the tasks given; the service after each. */
function servicePasses(steps: readonly (readonly Task[])[]) {
  let current = service;
  return steps.map((seen) => {
    const now = Math.max(createdAt, ...seen.map((t) => t.stoppedAt ?? 0)) + 50;
    current = reconcileService(
      {
        service: current,
        taskDefinitions: new Map([[taskDefinitionArn, td]]),
        tasks: seen,
        cluster: {
          instances: [instance],
          tasks: [...seen],
          taskDefinitions: new Map([[taskDefinitionArn, td]]),
        },
      },
      { now, random: mulberry32(1) },
    ).service;
    return current;
  });
}

describe('the circuit breaker, fed a real engine’s records of a container that exits at once', () => {
  it('the records are what the agent reported: some tasks stopped before RUNNING, some just after', () => {
    expect(tasks.map((t) => t.startedAt !== undefined)).toEqual([false, true, false, true, true]);
    for (const t of tasks) {
      expect(t.lastStatus).toBe('STOPPED');
      expect(t.stopCode).toBe('EssentialContainerExited');
      expect(t.containers[0]?.exitCode).toBe(1);
      // Docker started every container, whether or not the agent saw the task RUNNING.
      expect(t.containers[0]?.startedAt).toBeDefined();
    }
  });

  it('fails the deployment at the third failed task, whichever way each one failed', () => {
    const seen = tasks.map((_, i) => tasks.slice(0, i + 1));
    // The fourth pass sees the same tasks again: nothing is counted twice.
    const after = passes([seen[0]!, seen[1]!, seen[2]!, seen[2]!]);
    expect(after.map((d) => d.failedTasks)).toEqual([1, 2, 3, 3]);
    expect(after.map((d) => d.rolloutState)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'FAILED', 'FAILED']);
    // One task had run by then: stage 2, ECS's reason for it.
    expect(after[2]?.rolloutStateReason).toBe(circuitBreakerReasons.failedHealthChecks);
  });

  it('fails after 3 tasks that stopped before RUNNING with "tasks failed to start."', () => {
    const neverRan = tasks.filter((t) => t.startedAt === undefined);
    const third = {
      ...neverRan[1]!,
      taskArn: `${neverRan[1]!.taskArn.slice(0, -8)}00000003`,
      stoppedAt: neverRan[1]!.stoppedAt! + 5_000,
    };
    const after = passes([[neverRan[0]!], [neverRan[0]!, neverRan[1]!], [neverRan[0]!, neverRan[1]!, third]]);
    expect(after.map((d) => d.rolloutState)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'FAILED']);
    expect(after[2]?.rolloutStateReason).toBe(circuitBreakerReasons.failedToStart);
  });

  // Tasks stopped in one agent pass share a stoppedAt but reach the store one by one; an agent on another
  // host reports a moment late. Each is counted once when it is first seen, never again.
  const [, a, , b, c] = tasks as [Task, Task, Task, Task, Task];
  it.each([
    ['stopped at the same moment as one already counted', { ...c, stoppedAt: b.stoppedAt }],
    ['stopped a little before one already counted', { ...c, stoppedAt: b.stoppedAt! - 500 }],
  ])('counts a task reported after another: %s', (_, late) => {
    const services = servicePasses([[a], [a, b], [a, b, late], [a, b, late]]);
    const after = services.map((s) => s.deployments.find((d) => d.id === deploymentId)!);
    expect(after.map((d) => d.failedTasks)).toEqual([1, 2, 3, 3]);
    expect(after[2]?.rolloutState).toBe('FAILED');
    // The service says why each task stopped, once.
    const stopped = (t: Task) =>
      `(service first) (task ${t.taskArn.split('/').pop()}) stopped: Essential container in task exited (httpd exit code 1).`;
    const messages = services[3]!.events.map((e) => e.message);
    for (const t of [a, b, late]) expect(messages.filter((m) => m === stopped(t))).toHaveLength(1);
  });

  it('does not count a task that stopped long before the newest counted failure', () => {
    const stale = { ...c, stoppedAt: b.stoppedAt! - lateFailureWindowMs - 1 };
    const after = passes([[a], [a, b], [a, b, stale]]);
    expect(after.map((d) => d.failedTasks)).toEqual([1, 2, 2]);
  });
});
