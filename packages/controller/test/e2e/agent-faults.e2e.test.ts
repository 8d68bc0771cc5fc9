import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@baton-ecs/model';
import type { BatonKinds, EtcdStore } from '@baton-ecs/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, engineScript, httpdTaskDefinition, uniqueCluster, waitFor } from './harness.js';
import {
  type AgentProcess,
  type ControlPlaneProcess,
  holdMultihostEngines,
  netns,
  newPki,
  type Pki,
  SecureEtcd,
  spawnAgent,
  spawnControlPlane,
} from './multihost-harness.js';

// Two hosts, each a network namespace of the test's own (bmh-a, bmh-b) running `baton agent` for its
// own engine (7, 8), joined through one etcd (TLS) that the hosts reach over their namespace's link;
// two control-plane replicas in processes of their own. Engines 7 and 8 belong to this file.
const cluster = uniqueCluster('mh-faults');
const prefix = `/baton/${cluster}`;
const hosts = [
  { ns: 'bmh-a', link: 21, engine: 7, zone: 'zone-a' },
  { ns: 'bmh-b', link: 22, engine: 8, zone: 'zone-b' },
] as const;
const hostIp = (link: number) => `10.251.${link}.1`;
const socket = (engine: number) => `unix:///var/run/baton/docker-${engine}.sock`;
const instanceLostAfterMs = 6_000;

let pki: Pki;
let etcd: SecureEtcd;
let reader: EtcdStore<BatonKinds>;
const agents = new Map<string, AgentProcess>();
const planes: ControlPlaneProcess[] = [];
const stateRoot = mkdtempSync(join(tmpdir(), 'baton-mh-faults-'));

const startAgent = async (h: (typeof hosts)[number]) => {
  const a = await spawnAgent(
    [
      ...etcd.agentFlags(hostIp(h.link)),
      '--cluster',
      cluster,
      '--engine',
      socket(h.engine),
      '--state-dir',
      join(stateRoot, h.ns),
      '--attribute',
      `ecs.availability-zone=${h.zone}`,
      '--lease',
      '3s',
    ],
    {},
    h.ns,
  );
  agents.set(h.ns, a);
  return a;
};

let releaseEngines: (() => void) | undefined;

beforeAll(async () => {
  releaseEngines = await holdMultihostEngines();
  for (const h of hosts) {
    await netns('destroy', h.ns);
    await netns('create', h.ns, h.link);
  }
  pki = newPki(hosts.map((h) => hostIp(h.link)));
  etcd = await SecureEtcd.start(
    pki,
    hosts.map((h) => hostIp(h.link)),
  );
  reader = etcd.store(prefix, false);
  for (const h of hosts) {
    await engineScript('destroy', h.engine);
    await engineScript('start', h.engine);
  }
  const access = etcd.controlAccess(false);
  const base = { endpoint: etcd.endpoint, prefix, cluster, tls: access.tls, instanceLostAfterMs };
  // One replica first (it makes the store and the cluster), then both hosts, then the service, so
  // that placement sees both hosts.
  planes.push(await spawnControlPlane({ ...base, identity: `${cluster}-cp2` }));
  await Promise.all(hosts.map((h) => startAgent(h)));
  await waitFor('both hosts registered', 30_000, async () =>
    (await Promise.all(hosts.map((h) => instance(h.ns)))).every((i) => i?.agentConnected === true),
  );
  planes.push(
    await spawnControlPlane({
      ...base,
      identity: `${cluster}-cp1`,
      service: {
        serviceName: 'web',
        desiredCount: 4,
        taskDefinition: httpdTaskDefinition('web', { healthCheck: true }),
      },
    }),
  );
}, 360_000);

afterAll(async () => {
  try {
    for (const a of agents.values()) await a.stop('SIGKILL');
    for (const p of planes) await p.stop('SIGKILL');
    await reader?.close();
    for (const h of hosts) {
      await engineScript('destroy', h.engine);
      await netns('destroy', h.ns);
    }
    await etcd?.destroy();
    rmSync(stateRoot, { recursive: true, force: true });
    if (pki) rmSync(pki.ca.dir, { recursive: true, force: true });
  } finally {
    releaseEngines?.();
  }
}, 120_000);

const tasks = async (): Promise<Task[]> =>
  (await reader.list('Task')).items.map((e) => e.object).filter((t) => t.group === 'service:web');
const running = async () =>
  (await tasks()).filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING');
const instanceArn = (ns: string) => agents.get(ns)!.instanceArn;
const instance = async (ns: string) => (await reader.get('ContainerInstance', instanceArn(ns)))?.object;
const runningContainers = async (engine: number) =>
  (await docker(socket(engine)).listContainers({ filters: { label: [`com.baton.cluster=${cluster}`] } })).map(
    (c) => c.Id,
  );

/** What the processes said and the store holds, when a wait fails. */
async function diagnose<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const lines = [
      ...[...agents].map(([ns, a]) => `agent ${ns}:\n${a.stderr().slice(-3_000)}`),
      ...planes.map((p) => `control plane ${p.identity}:\n${p.stderr().slice(-3_000)}`),
      `instances: ${JSON.stringify((await reader.list('ContainerInstance')).items.map((e) => [e.object.ec2InstanceId, e.object.agentConnected, e.object.runningTasksCount]))}`,
      `tasks: ${JSON.stringify((await tasks()).map((t) => [t.containerInstanceArn?.split('/').pop(), t.lastStatus, t.desiredStatus, t.stoppedReason]))}`,
    ];
    throw new Error(`${(error as Error).message}\n${lines.join('\n')}`);
  }
}

describe('agents in their own namespaces under a control plane in other processes', {
  timeout: 60_000,
}, () => {
  it('spreads a service across the agents', async () => {
    await diagnose(() =>
      waitFor('4 RUNNING tasks, 2 on each host', 50_000, async () => {
        const r = await running();
        return (
          r.length === 4 &&
          hosts.every((h) => r.filter((t) => t.containerInstanceArn === instanceArn(h.ns)).length === 2)
        );
      }),
    );
    for (const h of hosts) expect(await runningContainers(h.engine)).toHaveLength(2);
  });

  it('a host cut off for less than instanceLostAfter: its containers keep running, it resumes without duplicates', async () => {
    const [, b] = hosts;
    const before = await tasks();
    const onB = before.filter(
      (t) => t.containerInstanceArn === instanceArn(b.ns) && t.lastStatus === 'RUNNING',
    );
    expect(onB).toHaveLength(2);
    const containersBefore = (await runningContainers(b.engine)).sort();
    await netns('cut', b.ns);
    // Long enough for its lease to expire: the control plane marks the instance disconnected.
    const disconnected = await diagnose(() =>
      waitFor('host b disconnected', 15_000, async () => {
        const i = await instance(b.ns);
        return i?.agentConnected === false ? i : undefined;
      }),
    );
    await netns('join', b.ns);
    await diagnose(() =>
      waitFor('host b connected again', 15_000, async () => (await instance(b.ns))?.agentConnected === true),
    );
    // The moment that proves nothing will be replaced: instanceLostAfter has passed since the
    // disconnection (a replacement would be decided from then on) and the leader has since finished
    // two passes of the service (the second one started after the first ended, so after that moment).
    const lostAt = disconnected.agentDisconnectedAt! + instanceLostAfterMs;
    // The premise: back within instanceLostAfter (the cut lasted less).
    expect(Date.now(), 'host b reconnected only after instanceLostAfter').toBeLessThan(lostAt);
    await waitFor(
      'instanceLostAfter past since the disconnection',
      instanceLostAfterMs + 1_000,
      async () => Date.now() > lostAt + 100,
    );
    const passes = async () =>
      (await Promise.all(planes.map((p) => p.counter('baton_reconcile_total{controller="service",')))).reduce(
        (a, n) => a + n,
        0,
      );
    const passesThen = await passes();
    await diagnose(() =>
      waitFor('two passes of the service since', 15_000, async () => (await passes()) >= passesThen + 2),
    );

    const after = await tasks();
    const states = JSON.stringify(
      after.map((t) => [t.taskArn.split('/').pop(), t.lastStatus, t.stoppedReason]),
    );
    // No task started since, and every task that ran before runs on, in the same container.
    expect(after.map((t) => t.taskArn).sort(), states).toEqual(before.map((t) => t.taskArn).sort());
    for (const t of before.filter((x) => x.lastStatus === 'RUNNING')) {
      const now = after.find((x) => x.taskArn === t.taskArn)!;
      expect([now.desiredStatus, now.lastStatus], states).toEqual(['RUNNING', 'RUNNING']);
      expect(now.containers[0]!.runtimeId).toBe(t.containers[0]!.runtimeId);
    }
    expect((await runningContainers(b.engine)).sort()).toEqual(containersBefore);
    await waitFor(
      'host b reports its 2 running tasks',
      10_000,
      async () => (await instance(b.ns))?.runningTasksCount === 2,
    );
    expect(await running()).toHaveLength(4);
  });

  it('a host cut off: its tasks replaced after instanceLostAfter, its stale containers stopped on return', async () => {
    const [a] = hosts;
    const stale = (await running())
      .filter((t) => t.containerInstanceArn === instanceArn(a.ns))
      .map((t) => t.taskArn);
    const staleContainers = await runningContainers(a.engine);
    await netns('cut', a.ns);
    await diagnose(() =>
      waitFor('host a disconnected', 15_000, async () => (await instance(a.ns))?.agentConnected === false),
    );
    await waitFor('4 RUNNING tasks on host b', 40_000, async () => {
      const r = await running();
      return r.length === 4 && r.every((t) => t.containerInstanceArn === instanceArn('bmh-b'));
    });
    // Cut off, host a's agent heard nothing: its containers still run.
    expect((await runningContainers(a.engine)).sort()).toEqual(staleContainers.sort());
    const all = await tasks();
    for (const arn of stale) expect(all.find((t) => t.taskArn === arn)?.desiredStatus).toBe('STOPPED');

    await netns('join', a.ns);
    await waitFor(
      "host a's stale containers stopped",
      45_000,
      async () => (await runningContainers(a.engine)).length === 0,
    );
    await waitFor(
      'host a connected again',
      15_000,
      async () => (await instance(a.ns))?.agentConnected === true,
    );
    expect(await running()).toHaveLength(4);
  });

  it('the leading control plane killed: agents keep their containers, the other replica takes over', async () => {
    const lock = reader.leaseLock('service-controller');
    const leader = (await lock.holder())?.holder;
    const victim = planes.find((p) => p.identity === leader);
    expect(victim).toBeDefined();
    const before = (await runningContainers(8)).sort();
    await victim!.stop('SIGKILL');
    const successor = await waitFor('another replica leads', 20_000, async () => {
      const h = (await lock.holder())?.holder;
      return h && h !== leader ? h : undefined;
    });
    expect(planes.map((p) => p.identity)).toContain(successor);
    expect((await runningContainers(8)).sort()).toEqual(before);
    // The new leader acts: the task of a container killed on host b is replaced.
    const runningBefore = new Set((await running()).map((t) => t.taskArn));
    await docker(socket(8)).getContainer(before[0]!).kill();
    await diagnose(() =>
      waitFor('4 RUNNING tasks again, one of them started by the new leader', 40_000, async () => {
        const r = await running();
        return r.length === 4 && r.some((t) => !runningBefore.has(t.taskArn));
      }),
    );
    lock.close();
  });
});
