import { batonKinds, createEtcdStore, type EtcdStore, etcdStore, serviceKey } from '@baton-ecs/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdProcess } from '../../../store/test/etcd/etcd-process.js';
import { type Baton, createBaton, type LogRecord } from '../../src/index.js';
import {
  clusterContainers,
  docker,
  engine1,
  httpdTaskDefinition,
  liveTasks,
  requireEngine,
  uniqueCluster,
} from '../e2e/harness.js';
import { testTimings, until } from './replicas.js';

// A Baton (with leader election) over an etcd member of its own, which the tests crash and restart.
const cluster = uniqueCluster('outage');
const logs: LogRecord[] = [];
let member: EtcdProcess;
let baton: Baton;
let observer: EtcdStore<typeof batonKinds>;

const leadsAll = () => baton.leadership().length === 2 && baton.leadership().every((s) => s.leading);
const running = (n: number) =>
  until(`${n} RUNNING tasks`, 60_000, async () => {
    const tasks = await liveTasks(baton, cluster, 'web');
    return tasks.length === n && tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
  });

beforeAll(async () => {
  await requireEngine(engine1);
  member = await EtcdProcess.start();
  baton = await createBaton({
    store: etcdStore({ endpoints: member.endpoint, prefix: '/baton', requestTimeoutMs: 2_000 }),
    cluster,
    engines: [{ endpoint: engine1, instanceId: `${cluster}-engine` }],
    seed: 11,
    logger: (r) => logs.push(r),
    resyncMs: 2_000,
    agent: {
      heartbeatIntervalMs: 300,
      heartbeatTimeoutMs: 1_500,
      resyncIntervalMs: 2_000,
      settings: { imagePullBehavior: 'prefer-cached', taskCleanupWaitMs: 30_000 },
    },
    leaderElection: { identity: 'solo', ...testTimings },
  });
  await baton.start();
  await until('leadership of the controller and the engine', 15_000, leadsAll).catch((err) => {
    console.log(JSON.stringify(baton.leadership()), logs.slice(-20));
    throw err;
  });
  await baton.registerTaskDefinition(httpdTaskDefinition('web'));
  await baton.createService({ cluster, serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
  await running(2);
  observer = await createEtcdStore({ kinds: batonKinds, endpoints: member.endpoint, prefix: '/baton' });
}, 90_000);

afterAll(async () => {
  await baton?.stop();
  await observer?.close();
  for (const c of await clusterContainers(engine1, cluster, true).catch(() => [])) {
    await docker(engine1)
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  await member?.destroy();
}, 60_000);

describe('etcd outages under a running Baton', { timeout: 90_000 }, () => {
  it('etcd restarted: watches resume from where they were, nothing is lost', async () => {
    await member.stop('SIGKILL');
    await member.resume();
    // Written by another client the moment etcd is back, before Baton's watches have reconnected.
    await observer.update('Service', serviceKey(cluster, 'web'), (s) => {
      s.desiredCount = 3;
    });
    await running(3);
    // Every cache holds exactly what the store holds.
    await until('caches equal to the store', 10_000, async () => {
      for (const kind of ['Service', 'Task', 'ContainerInstance', 'TaskDefinition', 'Cluster'] as const) {
        const { items } = await observer.list(kind);
        const cached = baton.internals.informers as unknown as Record<
          string,
          { values(): Iterable<{ key: string; version: number }> }
        >;
        const name = {
          Service: 'services',
          Task: 'tasks',
          ContainerInstance: 'instances',
          TaskDefinition: 'taskDefinitions',
          Cluster: 'clusters',
        }[kind];
        const mine = [...(cached[name]?.values() ?? [])].map((e) => `${e.key}@${e.version}`).sort();
        if (JSON.stringify(mine) !== JSON.stringify(items.map((e) => `${e.key}@${e.version}`).sort()))
          return false;
      }
      return true;
    });
  });

  it('etcd unreachable: Baton stops acting and says why, then resumes', async () => {
    const [victim] = await running(3);
    await member.stop('SIGKILL');
    const lostAt = Date.now();
    await until('every lock given up', testTimings.renewDeadlineMs + 5_000, () =>
      baton.leadership().every((s) => !s.leading),
    );
    expect(Date.now() - lostAt).toBeLessThan(testTimings.leaseDurationMs + 3_000);
    const stopped = logs.filter((r) => r.msg === 'stopped leading');
    expect(stopped.map((r) => r.reason)).toContainEqual(expect.stringMatching(/renew deadline|lease/));
    expect(
      logs.some((r) => r.msg === 'leader cannot renew its lease; will stop acting at the renew deadline'),
    ).toBe(true);
    // Killed while nobody may act: replaced once Baton is back.
    const killed = docker(engine1).getContainer(victim?.containers[0]?.runtimeId as string);
    await killed.kill();
    await until('the container exited', 10_000, async () => (await killed.inspect()).State.Running === false);
    await member.resume();
    await until('leadership regained', 30_000, leadsAll);
    await until('the killed container’s task replaced', 60_000, async () => {
      const tasks = await liveTasks(baton, cluster, 'web');
      return (
        tasks.length === 3 && tasks.every((t) => t.lastStatus === 'RUNNING' && t.taskArn !== victim?.taskArn)
      );
    });
  });
});
