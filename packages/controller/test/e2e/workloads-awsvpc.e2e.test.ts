import { randomBytes } from 'node:crypto';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  batonOnEngine1,
  clusterContainers,
  containerIdOf,
  docker,
  engine1,
  execIn,
  httpStatus,
  stopTaskUntilStopped,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

// awsvpc on a real engine: one network namespace per task, held by its pause container, on a Docker
// network standing in for the task's subnet (docs/workloads.md).
const cluster = uniqueCluster('wl-awsvpc');
const subnet = `subnet-wl${randomBytes(3).toString('hex')}`;
const network = `baton-subnet-${subnet}`;
const dataDir = mkdtempSync(join(tmpdir(), 'baton-awsvpc-'));
// Its own half of 172.30.0.0/16 (workloads-metadata.e2e has the other half: files run side by side).
const baton = batonOnEngine1(cluster, {
  engine: { taskNetworkPool: '172.30.0.0/17' },
  baton: {
    dataDir,
    agent: {
      heartbeatIntervalMs: 300,
      heartbeatTimeoutMs: 1_500,
      resyncIntervalMs: 2_000,
      settings: { imagePullBehavior: 'prefer-cached', taskCleanupWaitMs: 500 },
    },
  },
  async cleanup() {
    await docker(engine1)
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  },
});

const pauseName = '~internal~ecs~pause';

async function describeTask(taskArn: string) {
  const [t] = (await baton.describeTasks({ cluster, tasks: [taskArn] })).tasks;
  if (!t) throw new Error(`task ${taskArn} not found`);
  return t;
}

describe('awsvpc on a real engine', { timeout: 90_000 }, () => {
  it('a sidecar reaches its app on localhost; the task has its own address and published ports; the pause container goes with the task', async () => {
    await baton.registerTaskDefinition({
      family: 'awsvpc-pair',
      networkMode: 'awsvpc',
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          portMappings: [{ containerPort: 8080 }],
        },
        {
          name: 'sidecar',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: ['sleep', '3600'],
        },
      ],
    });
    const { tasks } = await baton.runTask({
      cluster,
      taskDefinition: 'awsvpc-pair',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [subnet], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
      },
    });
    const taskArn = tasks[0]?.taskArn ?? '';
    expect(tasks[0]?.attachments?.[0]).toMatchObject({
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
      details: [{ name: 'subnetId', value: subnet }],
    });
    const task = await waitFor('the awsvpc task RUNNING and attached', 30_000, async () => {
      const t = await describeTask(taskArn);
      if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
      return t.lastStatus === 'RUNNING' && t.attachments?.[0]?.status === 'ATTACHED' ? t : undefined;
    });

    // describe-tasks: the task's ENI address, each container on it; the pause container is not listed.
    expect(task.containers.map((c) => c.name).sort()).toEqual(['app', 'sidecar']);
    const details = new Map(task.attachments?.[0]?.details.map((d) => [d.name, d.value]));
    const ip = details.get('privateIPv4Address') ?? '';
    expect(ip).toMatch(/^172\.30\.\d+\.\d+$/);
    expect(details.get('subnetId')).toBe(subnet);
    expect(details.get('macAddress')).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    for (const c of task.containers) expect(c.networkInterfaces?.[0]?.privateIpv4Address).toBe(ip);

    // The sidecar reaches the app over localhost: one network namespace.
    const sidecar = containerIdOf(task, 'sidecar');
    const page = await waitFor('the app’s page on localhost from the sidecar', 10_000, async () => {
      const r = await execIn(engine1, sidecar, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/']);
      return r.exitCode === 0 ? r.output : undefined;
    });
    expect(page.trim()).toBe('baton');

    // The app's port is published on 127.0.0.1 through the pause container, and reported on the app.
    const binding = task.containers.find((c) => c.name === 'app')?.networkBindings[0];
    expect(binding).toMatchObject({ bindIP: '127.0.0.1', containerPort: 8080, protocol: 'tcp' });
    expect(await httpStatus(binding?.hostPort ?? 0)).toBe(200);

    // On the engine: the pause container is on the subnet's network; the others join its namespace.
    const onEngine = await clusterContainers(engine1, cluster);
    const pause = onEngine.find((c) => c.Labels['com.baton.container-name'] === pauseName);
    expect(pause?.NetworkSettings.Networks[network]?.IPAddress).toBe(ip);
    const app = await docker(engine1).getContainer(containerIdOf(task, 'app')).inspect();
    expect(app.HostConfig.NetworkMode).toMatch(/^container:/);

    // Adopted after a restart: a new Baton on the same store keeps the task and its namespace.
    await baton.restart();
    await waitFor('the restarted agent’s pass', 10_000, async () => {
      const t = await describeTask(taskArn);
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    const afterRestart = await clusterContainers(engine1, cluster);
    expect(
      afterRestart.filter((c) => c.Labels['com.baton.container-name'] === pauseName).map((c) => c.Id),
    ).toEqual([pause?.Id]);
    const again = await execIn(engine1, sidecar, ['wget', '-q', '-O', '-', 'http://127.0.0.1:8080/']);
    expect(again.exitCode).toBe(0);

    // Stopped: the attachment is DELETED; every container, the pause container too, is removed.
    const stopped = await stopTaskUntilStopped(baton, cluster, taskArn);
    expect(stopped.attachments?.[0]?.status).toBe('DELETED');
    await waitFor('the task’s containers removed, pause container included', 20_000, async () =>
      (await clusterContainers(engine1, cluster, true)).length === 0 ? true : undefined,
    );
  });

  it('pidMode and ipcMode task: the task’s containers share one pid and one IPC namespace, not the engine’s', async () => {
    await baton.registerTaskDefinition({
      family: 'shared-namespaces',
      pidMode: 'task',
      ipcMode: 'task',
      containerDefinitions: ['app', 'debugger'].map((name) => ({
        name,
        image: testImage,
        memory: 32,
        stopTimeout: 1,
        command: ['sleep', '3600'],
      })),
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'shared-namespaces' });
    const taskArn = tasks[0]?.taskArn ?? '';
    const task = await waitFor('the task RUNNING', 30_000, async () => {
      const t = await describeTask(taskArn);
      if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    const ns = async (container: string, kind: 'pid' | 'ipc') =>
      (
        await execIn(engine1, containerIdOf(task, container), ['readlink', `/proc/self/ns/${kind}`])
      ).output.trim();
    for (const kind of ['pid', 'ipc'] as const) {
      const app = await ns('app', kind);
      expect(app).toMatch(new RegExp(`^${kind}:\\[\\d+\\]$`));
      expect(await ns('debugger', kind)).toBe(app);
    }
    // One pid namespace: the debugger sees the app's sleep (and the pause process as PID 1).
    const ps = await execIn(engine1, containerIdOf(task, 'debugger'), ['ps', '-o', 'pid,args']);
    expect(ps.output).toMatch(/^\s*1\s+\/pause$/m);
    expect(ps.output.match(/sleep 3600/g)?.length).toBe(2);
    // Not the host's: the namespaces are the task's own.
    expect(await ns('app', 'pid')).not.toBe(readlinkSync('/proc/self/ns/pid'));
    await stopTaskUntilStopped(baton, cluster, taskArn);
  });

  it('containerPortRange: every port of the range is published on 127.0.0.1 and reported', async () => {
    await baton.registerTaskDefinition({
      family: 'port-range',
      containerDefinitions: [
        {
          name: 'web',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: ['httpd', '-f', '-p', '8001', '-h', '/www'],
          portMappings: [{ containerPortRange: '8000-8002' }],
        },
      ],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'port-range' });
    const taskArn = tasks[0]?.taskArn ?? '';
    const task = await waitFor('the port-range task RUNNING', 30_000, async () => {
      const t = await describeTask(taskArn);
      if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    const bindings = task.containers[0]?.networkBindings ?? [];
    expect(bindings.map((b) => b.containerPort)).toEqual([8000, 8001, 8002]);
    expect(new Set(bindings.map((b) => b.hostPort)).size).toBe(3);
    for (const b of bindings) expect(b.bindIP).toBe('127.0.0.1');
    const served = bindings.find((b) => b.containerPort === 8001);
    expect(await httpStatus(served?.hostPort ?? 0)).toBe(200);
    await stopTaskUntilStopped(baton, cluster, taskArn);
  });
});
