import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arns } from '@baton-ecs/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  clusterContainers,
  docker,
  engine1,
  httpdTaskDefinition,
  httpStatus,
  liveTasks,
  removeClusterContainers,
  requireEngine,
  testBaton,
  uniqueCluster,
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('e2e-svc');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
const options = { cluster, dataDir, engines: [{ endpoint: engine1, instanceId: 'engine-1' }] };
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  baton = await testBaton(options);
});

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  rmSync(dataDir, { recursive: true, force: true });
});

const running = async (n: number) =>
  waitFor(`${n} RUNNING tasks`, 30_000, async () => {
    const tasks = await liveTasks(baton, cluster, 'web');
    return tasks.length === n && tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
  });

describe('a service on a real engine', { timeout: 120_000 }, () => {
  it('runs 3 httpd tasks, each answering on its published port', async () => {
    await baton.registerTaskDefinition(httpdTaskDefinition('web', { healthCheck: true }));
    await baton.createService({ cluster, serviceName: 'web', taskDefinition: 'web', desiredCount: 3 });
    const tasks = await running(3);
    const ports = tasks.map((t) => t.containers[0]!.networkBindings[0]!.hostPort!);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) expect(await httpStatus(port)).toBe(200);
    expect((await clusterContainers(engine1, cluster)).length).toBe(3);
  });

  it('replaces a killed container and says why', async () => {
    const [victim] = await liveTasks(baton, cluster, 'web');
    const id = victim!.taskArn.split('/').pop()!;
    await docker(engine1).getContainer(victim!.containers[0]!.runtimeId!).kill();
    await waitFor('a replacement', 30_000, async () => {
      const tasks = await liveTasks(baton, cluster, 'web');
      return (
        tasks.length === 3 && tasks.every((t) => t.lastStatus === 'RUNNING' && t.taskArn !== victim!.taskArn)
      );
    });
    const [service] = (await baton.describeServices({ cluster, services: ['web'] })).services;
    expect(service!.events.map((e) => e.message)).toContainEqual(
      `(service web) (task ${id}) stopped: Essential container in task exited (httpd exit code 137).`,
    );
  });

  it('scales 3 → 5 → 1', async () => {
    await baton.updateService({ cluster, service: 'web', desiredCount: 5 });
    await running(5);
    await baton.updateService({ cluster, service: 'web', desiredCount: 1 });
    await running(1);
    await waitFor(
      'containers of stopped tasks to stop',
      30_000,
      async () => (await clusterContainers(engine1, cluster)).length === 1,
    );
    await baton.updateService({ cluster, service: 'web', desiredCount: 3 });
    await running(3);
  });

  it('rolls out a new revision without dropping below 3 RUNNING tasks (minimumHealthyPercent 100)', async () => {
    await baton.registerTaskDefinition(httpdTaskDefinition('web', { healthCheck: true }));
    // Every change Baton's task cache sees, not samples: the fewest RUNNING tasks the service had.
    const tasksCache = baton.internals.informers.tasks;
    const clusterArn = arns.cluster(cluster);
    const runningNow = () =>
      [...tasksCache.values()].filter(
        ({ object: t }) =>
          t.clusterArn === clusterArn &&
          t.group === 'service:web' &&
          t.desiredStatus === 'RUNNING' &&
          t.lastStatus === 'RUNNING',
      ).length;
    let fewest = runningNow();
    const watching = tasksCache.changes.subscribe(() => {
      fewest = Math.min(fewest, runningNow());
    });
    await baton.updateService({ cluster, service: 'web', taskDefinition: 'web:2' });
    await waitFor('the rollout to complete', 90_000, async () => {
      const [s] = (await baton.describeServices({ cluster, services: ['web'] })).services;
      const primary = s?.deployments.find((d) => d.status === 'PRIMARY');
      return (
        primary?.taskDefinition.endsWith(':2') &&
        primary.rolloutState === 'COMPLETED' &&
        s!.deployments.every((d) => d.status !== 'ACTIVE')
      );
    });
    watching.unsubscribe();
    expect(fewest).toBeGreaterThanOrEqual(3);
    const tasks = await liveTasks(baton, cluster, 'web');
    expect(tasks.map((t) => t.taskDefinitionArn.split(':').pop())).toEqual(['2', '2', '2']);
  });

  it('a revision whose container exits at once trips the circuit breaker and rolls back', async () => {
    await baton.updateService({
      cluster,
      service: 'web',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    await baton.registerTaskDefinition(httpdTaskDefinition('web', { command: ['sh', '-c', 'exit 3'] }));
    await baton.updateService({ cluster, service: 'web', taskDefinition: 'web:3' });
    await waitFor('the rollback', 90_000, async () => {
      const [s] = (await baton.describeServices({ cluster, services: ['web'] })).services;
      return s!.events.some((e) => e.message.includes('rolling back')) && s!.taskDefinition.endsWith(':2');
    });
    const [s] = (await baton.describeServices({ cluster, services: ['web'] })).services;
    expect(s!.deployments.find((d) => d.rolloutState === 'FAILED')?.taskDefinition).toMatch(/:3$/);
    const tasks = await running(3);
    expect(tasks.every((t) => t.taskDefinitionArn.endsWith(':2'))).toBe(true);
  }, 120_000);

  it('a restarted Baton adopts the running containers: none duplicated, none restarted', async () => {
    // Containers of tasks stopped by the previous test may still be on their way out.
    const before = await waitFor('exactly 3 running containers', 30_000, async () => {
      const running = await clusterContainers(engine1, cluster);
      return running.length === 3 ? running : undefined;
    });
    await baton.stop();
    // A new process would do the same: open the same data directory, find the same engine.
    baton = await testBaton(options);
    // The moment has passed once the new agent is at rest: a pass over the adopted containers that
    // planned no container action, and none in flight. Anything it would start, it would have by then.
    await waitFor('the restarted agent at rest', 30_000, () => {
      const status = baton.agent(arns.containerInstance(cluster, 'engine-1'))?.status();
      return status !== undefined &&
        status.passes > 0 &&
        status.actionsInFlight === 0 &&
        status.lastResult?.actions.length === 0
        ? status
        : undefined;
    });
    const after = await clusterContainers(engine1, cluster);
    expect(after.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
    expect(after.map((c) => c.Created)).toEqual(before.map((c) => c.Created));
    expect(await liveTasks(baton, cluster, 'web')).toHaveLength(3);
  });
});
