import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  docker,
  engine1,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const run = promisify(execFile);
const cluster = uniqueCluster('logs-firelens');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-firelens-'));
const routerImage = 'baton-test/firelens-router:1';
let baton: Baton;

/**
 * A log router without fluent-bit (no image can be pulled): Debian's socat and the libraries it
 * links, imported as an image. It listens where FireLens routers listen, /var/run/fluent.sock, and
 * appends what it receives (Fluentd's forward protocol, msgpack) to /var/run/received — the task's
 * FireLens directory on the host, where the test reads it.
 */
async function buildRouterImage(): Promise<void> {
  const socat = await run('sh', ['-c', 'command -v socat']).catch(() => {
    throw new Error(
      'socat is not installed; `bash scripts/provision.sh docker` installs it (scripts/services/docker.sh)',
    );
  });
  const binary = socat.stdout.trim();
  const { stdout } = await run('ldd', [binary]);
  const libs = [...stdout.matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1]!);
  const files = [binary, ...new Set(libs)].map((f) => f.replace(/^\//, ''));
  await run('sh', [
    '-c',
    `tar -chf - -C / ${files.join(' ')} | docker -H ${engine1} import --change 'CMD ["/usr/bin/socat"]' - ${routerImage}`,
  ]);
}

beforeAll(async () => {
  await requireEngine(engine1);
  await buildRouterImage();
  baton = await testBaton({ cluster, dataDir, engines: [{ endpoint: engine1, instanceId: 'engine-1' }] });
}, 120_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('FireLens on a real engine', { timeout: 90_000 }, () => {
  it("routes an awsfirelens container's output to the task's log router, tagged as ECS tags it", async () => {
    await baton.registerTaskDefinition({
      family: 'firelens',
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 16,
          stopTimeout: 1,
          command: ['sh', '-c', 'for i in 1 2 3; do echo hello-firelens-$i; sleep 0.2; done; sleep 60'],
          logConfiguration: { logDriver: 'awsfirelens', options: { Name: 'stdout' } },
        },
        {
          name: 'log_router',
          image: routerImage,
          memory: 32,
          stopTimeout: 1,
          firelensConfiguration: { type: 'fluentbit' },
          command: [
            '/usr/bin/socat',
            '-u',
            'UNIX-LISTEN:/var/run/fluent.sock,fork,unlink-early',
            'OPEN:/var/run/received,creat,append',
          ],
        },
      ],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'firelens' });
    const taskArn = tasks[0]!.taskArn;
    const taskId = taskArn.split('/').pop()!;
    const task = await waitFor('the task RUNNING', 30_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [taskArn] })).tasks;
      return t?.lastStatus === 'RUNNING' ? t : undefined;
    });
    const app = task.containers.find((c) => c.name === 'app')!;
    const router = task.containers.find((c) => c.name === 'log_router')!;
    // The router started first (the implicit START dependency).
    expect(router.startedAt).toBeDefined();
    expect(app.startedAt!).toBeGreaterThanOrEqual(router.startedAt!);
    const received = await waitFor('the router to receive the three lines', 30_000, async () => {
      const file = join(dataDir, 'firelens', taskId, 'socket', 'received');
      const text = existsSync(file) ? readFileSync(file).toString('latin1') : '';
      return [1, 2, 3].every((i) => text.includes(`hello-firelens-${i}`)) ? text : undefined;
    });
    expect(received).toContain(`app-firelens-${taskId}`);
    const logConfig = (await docker(engine1).getContainer(app.runtimeId!).inspect()).HostConfig.LogConfig;
    expect(logConfig?.Type).toBe('fluentd');
    expect(logConfig?.Config['fluentd-address']).toBe(
      `unix://${join(dataDir, 'firelens', taskId, 'socket', 'fluent.sock')}`,
    );
    await baton.stopTask({ cluster, task: taskArn });
  });
});
