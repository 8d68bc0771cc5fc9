import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  batonOnEngine1,
  containerIdOf,
  docker,
  engine1,
  execIn,
  runTaskUntilRunning,
  stopTaskUntilStopped,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

// The task metadata endpoint v4, asked from inside containers with busybox wget (docs/workloads.md).
const cluster = uniqueCluster('wl-metadata');
const subnet = `subnet-wlm${randomBytes(3).toString('hex')}`;
// Its own half of 172.30.0.0/16: workloads-awsvpc.e2e runs beside it on engine 1 with the other half,
// and two agents picking a free block of one pool at the same moment would pick the same one.
const baton = batonOnEngine1(cluster, {
  engine: { taskNetworkPool: '172.30.128.0/17' },
  cleanup: () =>
    docker(engine1)
      .getNetwork(`baton-subnet-${subnet}`)
      .remove()
      .catch(() => undefined),
});

/** GET a path of the container's own metadata URI, from inside it; the body parsed, or the wget failure. */
async function fromInside(containerId: string, suffix: string, variable = 'ECS_CONTAINER_METADATA_URI_V4') {
  const r = await execIn(engine1, containerId, ['sh', '-c', `wget -q -O - "$${variable}${suffix}"`]);
  return r.exitCode === 0 ? (JSON.parse(r.output) as Record<string, unknown>) : { failed: r.output };
}

const containers = (family: string) => [
  { name: 'app', image: testImage, memory: 32, cpu: 64, stopTimeout: 1, command: ['sleep', '3600'] },
  {
    name: 'sidecar',
    image: testImage,
    memory: 32,
    stopTimeout: 1,
    command: ['sleep', '3600'],
    dockerLabels: { family },
  },
];

describe('task metadata endpoint v4 on a real engine', { timeout: 90_000 }, () => {
  it('a bridge container reads its own task and container, stats, and nothing of another task', async () => {
    await baton.registerTaskDefinition({
      family: 'meta-bridge',
      cpu: '256',
      memory: '128',
      containerDefinitions: containers('b'),
    });
    const task = await runTaskUntilRunning(baton, cluster, 'meta-bridge');
    const other = await runTaskUntilRunning(baton, cluster, 'meta-bridge');
    const app = containerIdOf(task, 'app');

    const env = await execIn(engine1, app, [
      'sh',
      '-c',
      'echo "$ECS_CONTAINER_METADATA_URI_V4 $ECS_CONTAINER_METADATA_URI"',
    ]);
    expect(env.output).toMatch(/^http:\/\/172\.29\.1\.1:\d+\/v4\/\S+ http:\/\/172\.29\.1\.1:\d+\/v3\/\S+$/m);

    const t = await fromInside(app, '/task');
    expect(t).toMatchObject({
      Cluster: cluster,
      TaskARN: task.taskArn,
      Family: 'meta-bridge',
      Revision: '1',
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      LaunchType: 'EC2',
      Limits: { CPU: 0.25, Memory: 128 },
    });
    const listed = t.Containers as Record<string, unknown>[];
    expect(listed.map((c) => c.Name).sort()).toEqual(['app', 'sidecar']);
    expect(listed.find((c) => c.Name === 'app')).toMatchObject({ DockerId: app, Type: 'NORMAL' });

    const self = await fromInside(app, '');
    expect(self).toMatchObject({
      DockerId: app,
      Name: 'app',
      Image: testImage,
      KnownStatus: 'RUNNING',
      Limits: { CPU: 64, Memory: 32 },
      ContainerARN: expect.stringContaining(':container/'),
      Networks: [{ NetworkMode: 'bridge', IPv4Addresses: [expect.stringMatching(/^172\.29\.1\.\d+$/)] }],
    });
    expect(self.Labels).toMatchObject({ 'com.baton.task-arn': task.taskArn });
    // v3 answers at its own URI too.
    expect(await fromInside(app, '/task', 'ECS_CONTAINER_METADATA_URI')).toMatchObject({
      TaskARN: task.taskArn,
    });

    const stats = await fromInside(app, '/stats');
    expect(stats).toHaveProperty('memory_stats');
    const taskStats = await fromInside(app, '/task/stats');
    expect(Object.keys(taskStats).sort()).toEqual([app, containerIdOf(task, 'sidecar')].sort());

    // The other task's container gets its own task; a token altered to name this task gets nothing.
    const otherApp = containerIdOf(other, 'app');
    expect(await fromInside(otherApp, '/task')).toMatchObject({ TaskARN: other.taskArn });
    const forged = await execIn(engine1, otherApp, [
      'sh',
      '-c',
      `u="$ECS_CONTAINER_METADATA_URI_V4"; base="\${u%/*}"; sig="\${u##*.}"; ` +
        `p=$(printf '%s\\n%s' '${task.taskArn}' app | base64 | tr '+/' '-_' | tr -d '=\\n'); ` +
        `wget -q -O - "$base/$p.$sig/task"`,
    ]);
    expect(forged.exitCode).not.toBe(0);
    expect(forged.output).not.toContain(task.taskArn);

    await stopTaskUntilStopped(baton, cluster, task.taskArn ?? '');
    await stopTaskUntilStopped(baton, cluster, other.taskArn ?? '');
  });

  it('an awsvpc container reaches the endpoint on its subnet’s gateway and sees the task’s address', async () => {
    await baton.registerTaskDefinition({
      family: 'meta-awsvpc',
      networkMode: 'awsvpc',
      containerDefinitions: containers('a'),
    });
    const { tasks } = await baton.runTask({
      cluster,
      taskDefinition: 'meta-awsvpc',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
    });
    const taskArn = tasks[0]?.taskArn ?? '';
    const task = await waitFor('the awsvpc task RUNNING', 30_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [taskArn] })).tasks;
      if (t?.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
      return t?.lastStatus === 'RUNNING' && t.attachments?.[0]?.status === 'ATTACHED' ? t : undefined;
    });
    const ip = task.attachments?.[0]?.details.find((d) => d.name === 'privateIPv4Address')?.value;
    const sidecar = containerIdOf(task, 'sidecar');
    const self = await fromInside(sidecar, '');
    expect(self).toMatchObject({
      Name: 'sidecar',
      Networks: [
        {
          NetworkMode: 'awsvpc',
          IPv4Addresses: [ip],
          IPv4SubnetCIDRBlock: expect.stringMatching(/^172\.30\.\d+\.0\/24$/),
          SubnetGatewayIpv4Address: expect.stringMatching(/^172\.30\.\d+\.1\/24$/),
        },
      ],
    });
    const t = await fromInside(sidecar, '/task');
    expect((t.Containers as Record<string, unknown>[]).map((c) => `${c.Name}:${c.Type}`).sort()).toEqual([
      'app:NORMAL',
      'sidecar:NORMAL',
      '~internal~ecs~pause:CNI_PAUSE',
    ]);
    await stopTaskUntilStopped(baton, cluster, taskArn);
  });
});
