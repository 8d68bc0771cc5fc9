import { describe, expect, it } from 'vitest';
import {
  batonOnEngine1,
  containerIdOf,
  engine1,
  execIn,
  runTaskUntilRunning,
  stopTaskUntilStopped,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('workloads-link');
const baton = batonOnEngine1(cluster);

describe('bridge links on a real engine', { timeout: 60_000 }, () => {
  it('a container reaches another of its task by the link alias', async () => {
    await baton.registerTaskDefinition({
      family: 'linked',
      containerDefinitions: [
        {
          name: 'client',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: ['sleep', '3600'],
          links: ['server:web'],
        },
        {
          name: 'server',
          image: testImage,
          memory: 32,
          stopTimeout: 1,
          command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
        },
      ],
    });
    const task = await runTaskUntilRunning(baton, cluster, 'linked');
    const client = containerIdOf(task, 'client');
    const page = await waitFor('the server’s page through the alias', 10_000, async () => {
      const r = await execIn(engine1, client, ['wget', '-q', '-O', '-', 'http://web:8080/']);
      return r.exitCode === 0 ? r.output : undefined;
    });
    expect(page.length).toBeGreaterThan(0);
    await stopTaskUntilStopped(baton, cluster, task.taskArn ?? '');
  });
});
