import { batonKinds, createEtcdStore, type EtcdStore } from '@baton-ecs/store';
import { describe, expect, it } from 'vitest';
import { requireSharedEtcd } from '../../../store/test/etcd/etcd-process.js';
import {
  clusterContainers,
  docker,
  engine1,
  httpdTaskDefinition,
  requireEngine,
  uniqueCluster,
} from '../e2e/harness.js';
import { ServiceMonitor } from './monitor.js';
import { Replica, testTimings, until } from './replicas.js';

const DESIRED = 5;
const MAX_LIVE = Math.floor((DESIRED * 200) / 100); // maximumPercent 200 (ECS's default)
const CONTROLLER = 'service-controller';

/**
 * N Baton processes over one etcd and one engine run a 5-task service; the leader is SIGKILLed
 * `kills` times in a row (and a task's container is killed right after each, during the failover).
 */
async function failover(replicaCount: number, kills: number) {
  const endpoints = await requireSharedEtcd();
  await requireEngine(engine1);
  const cluster = uniqueCluster(`ha${replicaCount}`);
  const prefix = `/baton-test/${cluster}`;
  const observer: EtcdStore<typeof batonKinds> = await createEtcdStore({
    kinds: batonKinds,
    endpoints,
    prefix,
  });
  const engines = [{ endpoint: engine1, instanceId: `${cluster}-engine` }];
  const replicas = Array.from(
    { length: replicaCount },
    (_, i) => new Replica({ endpoints, prefix, cluster, identity: `${cluster}-r${i + 1}`, engines }),
  );
  const monitor = new ServiceMonitor(observer, engine1, cluster, 'web', MAX_LIVE);
  const takeovers: number[] = [];
  try {
    await Promise.all(replicas.map((r) => r.whenReady()));
    const alive = () => replicas.filter((r) => !r.exited);
    const leaders = () => alive().filter((r) => r.leads(CONTROLLER));
    let leader = await until('exactly one leader', 15_000, () =>
      leaders().length === 1 ? leaders()[0] : undefined,
    );
    const holder = await observer.leaseLock(CONTROLLER).holder();
    expect(holder?.holder).toBe(leader.identity);

    const api = replicas.find((r) => r !== leader) as Replica; // the API works on a follower too
    await api.call('registerTaskDefinition', httpdTaskDefinition('web'));
    await api.call('createService', {
      cluster,
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: DESIRED,
    });
    const allRunning = async () => {
      const live = await monitor.liveTasks();
      return live.length === DESIRED && live.every((t) => t.object.lastStatus === 'RUNNING')
        ? live
        : undefined;
    };
    await until(`${DESIRED} RUNNING tasks`, 60_000, allRunning);

    for (let k = 0; k < kills; k++) {
      const [victim] = await allRunning().then((l) => l ?? []);
      const containerId = victim?.object.containers[0]?.runtimeId;
      expect(containerId).toBeDefined();
      const killedAt = Date.now();
      await leader.kill();
      await docker(engine1)
        .getContainer(containerId as string)
        .kill();
      const next = await until('another replica to lead', testTimings.leaseDurationMs + 10_000, () =>
        leaders().length === 1 ? leaders()[0] : undefined,
      );
      takeovers.push(Date.now() - killedAt);
      expect(next).not.toBe(leader);
      leader = next;
      expect((await observer.leaseLock(CONTROLLER).holder())?.holder).toBe(leader.identity);
      await until('the killed container’s task to be replaced', 60_000, async () => {
        const stopped = (await observer.get('Task', victim?.key as string))?.object.lastStatus === 'STOPPED';
        const live = await allRunning();
        return stopped && live && !live.some((t) => t.key === victim?.key);
      });
    }
    await monitor.stop();
    expect(monitor.samples).toBeGreaterThan(10);
    expect(monitor.violations).toEqual([]);
    expect(monitor.maxLiveTasks).toBeLessThanOrEqual(MAX_LIVE);
    expect(monitor.maxContainersPerTask).toBeLessThanOrEqual(1);
    // Taken over within the lease duration plus a margin (a follower retries every 0.5 s).
    for (const ms of takeovers) expect(ms).toBeLessThan(testTimings.leaseDurationMs + 3_000);
    expect(leaders()).toHaveLength(1);
  } finally {
    await monitor.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    for (const c of await clusterContainers(engine1, cluster, true).catch(() => [])) {
      await docker(engine1)
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
    await observer.destroy();
  }
  return takeovers;
}

describe('failover between Baton processes over one etcd and one engine', { timeout: 150_000 }, () => {
  it('two replicas: exactly one leader; SIGKILL it and the other takes over, limits hold, a container killed meanwhile is replaced', async () => {
    const takeovers = await failover(2, 1);
    console.log(`takeover after SIGKILL: ${takeovers.join(', ')} ms`);
    expect(takeovers).toHaveLength(1);
  });

  it('three replicas: the leader is killed twice in a row; each time another takes over', async () => {
    const takeovers = await failover(3, 2);
    console.log(`takeovers after SIGKILL: ${takeovers.join(', ')} ms`);
    expect(takeovers).toHaveLength(2);
  });
});
