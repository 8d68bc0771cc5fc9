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

const cluster = uniqueCluster('workloads-set');
const baton = batonOnEngine1(cluster);

/** Zombie processes (state Z) in a container, from /proc. */
async function zombies(containerId: string): Promise<number> {
  const r = await execIn(engine1, containerId, [
    'sh',
    '-c',
    "grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l",
  ]);
  return Number(r.output.trim());
}

// A subshell leaves an orphan that exits 0.2 s later and is handed to PID 1. Without an init process
// PID 1 is `sleep`, which never waits, so the orphan stays a zombie; with one (ECS's
// initProcessEnabled) Docker's init is PID 1 and reaps it.
const orphanMaker = ['sh', '-c', '(sleep 0.2 &); exec sleep 3600'];

describe('container settings on a real engine', { timeout: 60_000 }, () => {
  it('initProcessEnabled reaps a zombie; without it the zombie stays', async () => {
    await baton.registerTaskDefinition({
      family: 'reaper',
      containerDefinitions: [
        {
          name: 'with-init',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: orphanMaker,
          linuxParameters: { initProcessEnabled: true },
        },
        { name: 'without-init', image: testImage, memory: 32, stopTimeout: 1, command: orphanMaker },
      ],
    });
    const task = await runTaskUntilRunning(baton, cluster, 'reaper');
    const without = containerIdOf(task, 'without-init');
    const withInit = containerIdOf(task, 'with-init');
    // The moment that proves the child has exited: the zombie shows up where nobody reaps it.
    await waitFor('a zombie in the container without init', 10_000, async () =>
      (await zombies(without)) > 0 ? true : undefined,
    );
    expect((await docker(engine1).getContainer(withInit).inspect()).HostConfig.Init).toBe(true);
    expect(await zombies(withInit)).toBe(0);
    await stopTaskUntilStopped(baton, cluster, task.taskArn ?? '');
  });

  it('a read-only root filesystem with a writable tmpfs', async () => {
    await baton.registerTaskDefinition({
      family: 'readonly',
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: ['sleep', '3600'],
          readonlyRootFilesystem: true,
          linuxParameters: {
            tmpfs: [{ containerPath: '/scratch', size: 8 }],
            capabilities: { drop: ['NET_RAW'] },
          },
          systemControls: [{ namespace: 'net.ipv4.ip_unprivileged_port_start', value: '80' }],
        },
      ],
    });
    const task = await runTaskUntilRunning(baton, cluster, 'readonly');
    const app = containerIdOf(task, 'app');
    expect((await execIn(engine1, app, ['touch', '/root-file'])).exitCode).not.toBe(0);
    expect((await execIn(engine1, app, ['sh', '-c', 'echo ok > /scratch/f && cat /scratch/f'])).output).toBe(
      'ok\n',
    );
    const mounts = (await execIn(engine1, app, ['grep', ' /scratch ', '/proc/mounts'])).output;
    expect(mounts).toMatch(/^tmpfs \/scratch tmpfs .*size=8192k/);
    const sysctl = await execIn(engine1, app, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']);
    expect(sysctl.output).toBe('80\n');
    const info = await docker(engine1).getContainer(app).inspect();
    expect(info.HostConfig.CapDrop).toEqual(['NET_RAW']);
    await stopTaskUntilStopped(baton, cluster, task.taskArn ?? '');
  });
});
