import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  engine1,
  httpdTaskDefinition,
  removeClusterContainers,
  requireEngine,
  testBaton,
  uniqueCluster,
  waitFor,
} from './harness.js';

/**
 * The deployment circuit breaker on a real engine, with a revision whose container exits at once.
 *
 * ECS (developer guide, "How the Amazon ECS deployment circuit breaker detects failures",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html, and the
 * API reference's ServiceDeploymentCircuitBreaker): a deployment fails once its failed tasks — tasks that
 * did not reach RUNNING, or that ran and then failed — reach the threshold, which has "a minimum threshold
 * of 3 and a maximum threshold of 200" over "0.5 * desired task count": min(200, max(3, ceil(D/2))).
 * A FAILED deployment "stop[s] launching new tasks", so the failed revision launched exactly the threshold.
 *
 * A container that exits at once races the agent: some tasks are seen RUNNING for an instant, others go
 * straight to STOPPED. Every one of them is a failed task of the deployment, whichever way it went.
 */
const cluster = uniqueCluster('breaker-cb');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-breaker-'));
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  baton = await testBaton({ cluster, dataDir, engines: [{ endpoint: engine1, instanceId: 'engine-1' }] });
});

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  rmSync(dataDir, { recursive: true, force: true });
});

const exitsAtOnce = { command: ['sh', '-c', 'exit 1'] };
const breakerReasons = [
  'ECS deployment circuit breaker: tasks failed to start.',
  'ECS deployment circuit breaker: tasks failed health checks.',
];

async function describeService(service: string) {
  const [s] = (await baton.describeServices({ cluster, services: [service] })).services;
  if (!s) throw new Error(`service ${service} not found`);
  return s;
}

/** Every task (live and STOPPED) the service ever launched of a task definition revision. */
async function tasksOf(service: string, taskDefinitionArn: string) {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const)
    arns.push(...(await baton.listTasks({ cluster, serviceName: service, desiredStatus })).taskArns);
  if (arns.length === 0) return [];
  const { tasks } = await baton.describeTasks({ cluster, tasks: arns });
  return tasks.filter((t) => t.taskDefinitionArn === taskDefinitionArn);
}

/** What each task of a revision went through: for the failure message when a count is off. */
async function taskSummary(service: string, taskDefinitionArn: string) {
  return (await tasksOf(service, taskDefinitionArn)).map((t) => ({
    lastStatus: t.lastStatus,
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    stoppedAt: t.stoppedAt,
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    exitCodes: t.containers.map((c) => c.exitCode),
  }));
}

async function waitForCompleted(service: string, taskDefinitionArn: string, timeoutMs = 90_000) {
  let last: unknown;
  return waitFor(`${service}: ${taskDefinitionArn} COMPLETED`, timeoutMs, async () => {
    const s = await describeService(service);
    last = { deployments: s.deployments, events: s.events.slice(0, 5).map((e) => e.message) };
    const primary = s.deployments.find((d) => d.status === 'PRIMARY');
    return primary?.taskDefinition === taskDefinitionArn &&
      primary.rolloutState === 'COMPLETED' &&
      s.deployments.every((d) => d.status === 'PRIMARY' || d.status === 'INACTIVE')
      ? s
      : undefined;
  }).catch((err: Error) => {
    throw new Error(`${err.message}; service: ${JSON.stringify(last)}`);
  });
}

/** The deployment of `taskDefinitionArn` once it is FAILED, with the service. */
async function waitForFailed(service: string, taskDefinitionArn: string, timeoutMs: number) {
  try {
    return await waitFor(`${service}: ${taskDefinitionArn} FAILED`, timeoutMs, async () => {
      const s = await describeService(service);
      const d = s.deployments.find(
        (x) => x.taskDefinition === taskDefinitionArn && x.rolloutState === 'FAILED',
      );
      return d ? { service: s, deployment: d } : undefined;
    });
  } catch (err) {
    const tasks = await taskSummary(service, taskDefinitionArn);
    throw new Error(`${(err as Error).message}; ${tasks.length} tasks: ${JSON.stringify(tasks)}`);
  }
}

async function register(family: string, options: Parameters<typeof httpdTaskDefinition>[1]) {
  const { taskDefinition } = await baton.registerTaskDefinition(httpdTaskDefinition(family, options));
  return taskDefinition.taskDefinitionArn!;
}

/** Creates `service` running `taskDefinition` with the circuit breaker on (rollback as asked). */
async function createWithBreaker(
  service: string,
  taskDefinition: string,
  { desiredCount = 1, rollback = true }: { desiredCount?: number; rollback?: boolean } = {},
) {
  await baton.createService({
    cluster,
    serviceName: service,
    taskDefinition,
    desiredCount,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
  });
}

/** The case's setup: `service` settled on `good` (a healthy httpd), then updated to `bad`. */
async function settleThenDeploy(
  service: string,
  good: string,
  bad: string,
  options?: Parameters<typeof createWithBreaker>[2],
) {
  await createWithBreaker(service, good, options);
  await waitForCompleted(service, good);
  await baton.updateService({ cluster, service, taskDefinition: bad });
}

/** Once a service pass saw every task of the failed deployment STOPPED and it launches none. */
async function waitForNoLiveTasks(service: string, deploymentId: string, taskDefinitionArn: string) {
  await waitFor('the failed deployment without live tasks', 30_000, async () => {
    const s = await describeService(service);
    const d = s.deployments.find((x) => x.id === deploymentId);
    const tasks = await tasksOf(service, taskDefinitionArn);
    return d?.runningCount === 0 && d.pendingCount === 0 && tasks.every((t) => t.lastStatus === 'STOPPED');
  });
}

// The cases are services of their own on the one Baton: they run at the same time.
describe.concurrent('the deployment circuit breaker on a real engine', { timeout: 180_000 }, () => {
  it('desired 1: a revision whose container exits at once fails after 3 tasks and rolls back', async () => {
    const service = 'one';
    const good = await register('breaker-one', { healthCheck: true });
    const bad = await register('breaker-one', exitsAtOnce);
    await settleThenDeploy(service, good, bad);

    const { deployment } = await waitForFailed(service, bad, 120_000);
    expect(breakerReasons).toContain(deployment.rolloutStateReason);
    // Rollback: the good revision is PRIMARY again and settles; that pass saw every failed task STOPPED.
    const after = await waitForCompleted(service, good);
    expect(after.taskDefinition).toBe(good);
    expect(after.events.map((e) => e.message)).toContainEqual(
      `(service ${service}) (deployment ${deployment.id}) deployment failed: ${deployment.rolloutStateReason}`,
    );
    const launched = await tasksOf(service, bad);
    expect(launched.every((t) => t.lastStatus === 'STOPPED' && t.startedBy === deployment.id)).toBe(true);
    expect(launched, JSON.stringify(await taskSummary(service, bad))).toHaveLength(3);
    const [running] = await tasksOf(service, good).then((ts) => ts.filter((t) => t.lastStatus === 'RUNNING'));
    expect(running?.taskDefinitionArn).toBe(good);
  });

  it('desired 2 without rollback: fails after 3 tasks; the previous revision keeps its 2 tasks', async () => {
    const service = 'two';
    const good = await register('breaker-two', { healthCheck: true });
    const bad = await register('breaker-two', exitsAtOnce);
    await settleThenDeploy(service, good, bad, { desiredCount: 2, rollback: false });

    const { deployment } = await waitForFailed(service, bad, 120_000);
    expect(breakerReasons).toContain(deployment.rolloutStateReason);
    // The moment has passed once a pass saw every task of the failed deployment STOPPED and launched none.
    await waitForNoLiveTasks(service, deployment.id, bad);
    const s = await describeService(service);
    expect(s.taskDefinition).toBe(bad);
    expect(s.deployments.find((d) => d.id === deployment.id)?.rolloutState).toBe('FAILED');
    // Two tasks run at once: when the third failure trips the breaker, the fourth may already be on its
    // way (threshold + desiredCount - 1 at most); none is launched after the breaker's event.
    const failedAt = s.events.find((e) =>
      e.message.startsWith(`(service ${service}) (deployment ${deployment.id}) deployment failed:`),
    )?.createdAt;
    expect(failedAt).toBeDefined();
    const launched = await tasksOf(service, bad);
    const summary = JSON.stringify(await taskSummary(service, bad));
    expect(launched.length, summary).toBeGreaterThanOrEqual(3);
    expect(launched.length, summary).toBeLessThanOrEqual(4);
    for (const t of launched) expect(t.createdAt!, summary).toBeLessThanOrEqual(Number(failedAt));
    const old = await tasksOf(service, good);
    expect(old.filter((t) => t.lastStatus === 'RUNNING')).toHaveLength(2);
  });

  it('a first deployment whose container exits at once fails after 3 tasks; nothing to roll back to', async () => {
    const service = 'first';
    const bad = await register('breaker-first', exitsAtOnce);
    await createWithBreaker(service, bad);
    const { deployment } = await waitForFailed(service, bad, 120_000);
    expect(breakerReasons).toContain(deployment.rolloutStateReason);
    await waitForNoLiveTasks(service, deployment.id, bad);
    const s = await describeService(service);
    expect(s.taskDefinition).toBe(bad);
    expect(s.deployments).toHaveLength(1);
    expect(await tasksOf(service, bad), JSON.stringify(await taskSummary(service, bad))).toHaveLength(3);
  });

  it('a non-essential container that exits at once is no failure: the deployment completes', async () => {
    const service = 'sidecar';
    const base = httpdTaskDefinition('breaker-sidecar', { healthCheck: true });
    const sidecar = {
      name: 'sidecar',
      image: base.containerDefinitions[0]!.image,
      memory: 16,
      essential: false,
      command: ['sh', '-c', 'exit 1'],
    };
    const { taskDefinition } = await baton.registerTaskDefinition({
      ...base,
      containerDefinitions: [...base.containerDefinitions, sidecar],
    });
    const arn = taskDefinition.taskDefinitionArn!;
    await createWithBreaker(service, arn);
    const s = await waitForCompleted(service, arn);
    expect(s.deployments[0]?.failedTasks).toBe(0);
    const tasks = await tasksOf(service, arn);
    expect(tasks.map((t) => t.lastStatus)).toEqual(['RUNNING']);
    expect(tasks[0]?.containers.find((c) => c.name === 'sidecar')?.exitCode).toBe(1);
  });

  it('desired 1: a revision failing its container health check fails after 3 tasks and rolls back', async () => {
    const service = 'unhealthy';
    const good = await register('breaker-unhealthy', { healthCheck: true });
    const failing = httpdTaskDefinition('breaker-unhealthy', { healthCheck: true });
    const container = failing.containerDefinitions[0]!;
    // Unhealthy at the first failed check (ECS's least retries), 5 s after the start (its least interval).
    const { taskDefinition } = await baton.registerTaskDefinition({
      ...failing,
      containerDefinitions: [
        {
          ...container,
          healthCheck: { ...container.healthCheck!, command: ['CMD-SHELL', 'exit 1'], retries: 1 },
        },
      ],
    });
    const bad = taskDefinition.taskDefinitionArn!;
    await settleThenDeploy(service, good, bad);

    const { deployment } = await waitForFailed(service, bad, 150_000);
    expect(deployment.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed health checks.');
    const after = await waitForCompleted(service, good);
    expect(after.taskDefinition).toBe(good);
    const launched = await tasksOf(service, bad);
    const summary = JSON.stringify(await taskSummary(service, bad));
    expect(
      launched.every((t) => t.lastStatus === 'STOPPED'),
      summary,
    ).toBe(true);
    expect(launched, summary).toHaveLength(3);
    for (const t of launched) expect(t.stoppedReason, summary).toBe('Task failed container health checks');
  });

  it('a revision whose image cannot be pulled fails after 3 tasks with "tasks failed to start."', async () => {
    const service = 'nopull';
    // The project's registry answers 404/401 for a repository nobody pushed (and a refused connection
    // fails the same way): either is a pull failure, never a hang.
    const registry = process.env.BATON_REGISTRY_ADDR ?? '127.0.0.1:5000';
    const base = httpdTaskDefinition('breaker-nopull');
    const { taskDefinition } = await baton.registerTaskDefinition({
      ...base,
      containerDefinitions: [{ ...base.containerDefinitions[0]!, image: `${registry}/${cluster}/missing:1` }],
    });
    const bad = taskDefinition.taskDefinitionArn!;
    await createWithBreaker(service, bad);
    const { deployment } = await waitForFailed(service, bad, 120_000);
    expect(deployment.rolloutStateReason).toBe('ECS deployment circuit breaker: tasks failed to start.');
    await waitForNoLiveTasks(service, deployment.id, bad);
    const launched = await tasksOf(service, bad);
    const summary = JSON.stringify(await taskSummary(service, bad));
    expect(launched, summary).toHaveLength(3);
    for (const t of launched) {
      expect(t.stopCode, summary).toBe('TaskFailedToStart');
      expect(t.stoppedReason, summary).toMatch(/^CannotPullContainerError: /);
    }
  });
});
