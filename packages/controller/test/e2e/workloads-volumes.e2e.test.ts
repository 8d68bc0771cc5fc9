import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  runTaskUntilRunning,
  stopTaskUntilStopped,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('workloads-vol');
const sharedVolume = `${cluster}-data`;
let hostDir: string;

const container = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  image: testImage,
  memory: 32,
  command: ['sleep', '3600'],
  stopTimeout: 1,
  ...over,
});

const baton = batonOnEngine1(cluster, {
  baton: {
    agent: {
      heartbeatIntervalMs: 300,
      heartbeatTimeoutMs: 1_500,
      resyncIntervalMs: 2_000,
      // Containers of stopped tasks go at once, so their task volumes follow within the test.
      settings: { imagePullBehavior: 'prefer-cached', taskCleanupWaitMs: 0 },
    },
  },
  async before() {
    hostDir = await mkdtemp(join(tmpdir(), 'baton-bind-'));
    await writeFile(join(hostDir, 'greeting'), 'hello from the host\n');
  },
  async cleanup() {
    const { Volumes } = await docker(engine1).listVolumes({
      filters: { label: [`com.baton.cluster=${cluster}`] },
    });
    for (const v of Volumes ?? [])
      await docker(engine1)
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
    await docker(engine1)
      .getVolume(sharedVolume)
      .remove()
      .catch(() => undefined);
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  },
});

const clusterVolumes = async () =>
  (
    (await docker(engine1).listVolumes({ filters: { label: [`com.baton.cluster=${cluster}`] } })).Volumes ??
    []
  ).map((v) => v.Name);

describe('volumes on a real engine', { timeout: 60_000 }, () => {
  it('a task-scoped volume is shared by two containers and removed with the task', async () => {
    await baton.registerTaskDefinition({
      family: 'scratch',
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [
        container('writer', {
          command: ['sh', '-c', 'echo written-by-writer > /data/note && sleep 3600'],
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }],
        }),
        container('reader', {
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data', readOnly: true }],
        }),
      ],
    });
    const task = await runTaskUntilRunning(baton, cluster, 'scratch');
    expect(await clusterVolumes()).toHaveLength(1);
    const reader = containerIdOf(task, 'reader');
    const read = await waitFor('the writer’s file, seen by the reader', 10_000, async () => {
      const r = await execIn(engine1, reader, ['cat', '/data/note']);
      return r.exitCode === 0 ? r.output : undefined;
    });
    expect(read).toBe('written-by-writer\n');
    const write = await execIn(engine1, reader, ['touch', '/data/other']);
    expect(write.exitCode).not.toBe(0);

    await stopTaskUntilStopped(baton, cluster, task.taskArn ?? '');
    await waitFor('the task’s containers removed', 20_000, async () =>
      (await clusterContainers(engine1, cluster, true)).length === 0 ? true : undefined,
    );
    await waitFor('the task volume removed after its containers', 20_000, async () =>
      (await clusterVolumes()).length === 0 ? true : undefined,
    );
  });

  it('a shared Docker volume keeps its data across a task replacement', async () => {
    await baton.registerTaskDefinition({
      family: 'keeper',
      volumes: [
        {
          name: sharedVolume,
          dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local' },
        },
      ],
      containerDefinitions: [
        container('app', { mountPoints: [{ sourceVolume: sharedVolume, containerPath: '/state' }] }),
      ],
    });
    const first = await runTaskUntilRunning(baton, cluster, 'keeper');
    const w = await execIn(engine1, containerIdOf(first, 'app'), ['sh', '-c', 'echo kept > /state/value']);
    expect(w.exitCode).toBe(0);
    await stopTaskUntilStopped(baton, cluster, first.taskArn ?? '');
    await waitFor('the first task’s container removed', 20_000, async () =>
      (await clusterContainers(engine1, cluster, true)).length === 0 ? true : undefined,
    );

    const second = await runTaskUntilRunning(baton, cluster, 'keeper');
    const r = await execIn(engine1, containerIdOf(second, 'app'), ['cat', '/state/value']);
    expect(r.output).toBe('kept\n');
    await stopTaskUntilStopped(baton, cluster, second.taskArn ?? '');
    await waitFor('the second task’s container removed', 20_000, async () =>
      (await clusterContainers(engine1, cluster, true)).length === 0 ? true : undefined,
    );
    // Shared volumes outlive their tasks.
    expect((await docker(engine1).getVolume(sharedVolume).inspect()).Name).toBe(sharedVolume);
  });

  it('a shared volume that does not exist, without autoprovision, fails the task naming it', async () => {
    await baton.registerTaskDefinition({
      family: 'needs-volume',
      volumes: [
        { name: `${cluster}-absent`, dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } },
      ],
      containerDefinitions: [
        container('app', { mountPoints: [{ sourceVolume: `${cluster}-absent`, containerPath: '/x' }] }),
      ],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'needs-volume' });
    const stopped = await waitFor('the task STOPPED', 20_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [tasks[0]?.taskArn ?? ''] })).tasks;
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(stopped.stopCode).toBe('TaskFailedToStart');
    expect(stopped.stoppedReason).toBe(
      `CannotCreateVolumeError: volume '${cluster}-absent' does not exist and autoprovision is set to false`,
    );
  });

  it('a bind mount read-only, and volumesFrom read-only', async () => {
    await baton.registerTaskDefinition({
      family: 'binds',
      volumes: [{ name: 'conf', host: { sourcePath: hostDir } }],
      containerDefinitions: [
        container('app', { mountPoints: [{ sourceVolume: 'conf', containerPath: '/conf', readOnly: true }] }),
        container('sidecar', { essential: false, volumesFrom: [{ sourceContainer: 'app', readOnly: true }] }),
      ],
    });
    const task = await runTaskUntilRunning(baton, cluster, 'binds');
    const app = containerIdOf(task, 'app');
    expect((await execIn(engine1, app, ['cat', '/conf/greeting'])).output).toBe('hello from the host\n');
    expect((await execIn(engine1, app, ['touch', '/conf/new'])).exitCode).not.toBe(0);
    const sidecar = containerIdOf(task, 'sidecar');
    expect((await execIn(engine1, sidecar, ['cat', '/conf/greeting'])).output).toBe('hello from the host\n');
    expect((await execIn(engine1, sidecar, ['touch', '/conf/new'])).exitCode).not.toBe(0);
    await stopTaskUntilStopped(baton, cluster, task.taskArn ?? '');
  });
});
