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

const cluster = uniqueCluster('logs-drivers');
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  baton = await testBaton({ cluster, engines: [{ endpoint: engine1, instanceId: 'engine-1' }] });
});

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
});

describe('Docker log drivers on a real engine', { timeout: 60_000 }, () => {
  it("passes each container's driver and options to the engine (HostConfig.LogConfig)", async () => {
    await baton.registerTaskDefinition({
      family: 'drivers',
      containerDefinitions: [
        {
          name: 'json',
          image: testImage,
          memory: 16,
          command: ['sleep', '60'],
          stopTimeout: 1,
          logConfiguration: {
            logDriver: 'json-file',
            options: { 'max-size': '1m', 'max-file': '2', labels: 'app' },
          },
        },
        {
          name: 'local',
          image: testImage,
          memory: 16,
          command: ['sleep', '60'],
          stopTimeout: 1,
          logConfiguration: {
            logDriver: 'local',
            options: { 'max-size': '2m', mode: 'non-blocking', 'max-buffer-size': '2m' },
          },
        },
      ],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'drivers' });
    const taskArn = tasks[0]!.taskArn;
    const running = await waitFor('the task RUNNING', 30_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [taskArn] })).tasks;
      return t?.lastStatus === 'RUNNING' ? t : undefined;
    });
    const logConfigOf = async (name: string) => {
      const id = running.containers.find((c) => c.name === name)!.runtimeId!;
      return (await docker(engine1).getContainer(id).inspect()).HostConfig.LogConfig;
    };
    expect(await logConfigOf('json')).toEqual({
      Type: 'json-file',
      Config: { 'max-size': '1m', 'max-file': '2', labels: 'app' },
    });
    expect(await logConfigOf('local')).toEqual({
      Type: 'local',
      Config: { 'max-size': '2m', mode: 'non-blocking', 'max-buffer-size': '2m' },
    });
    await baton.stopTask({ cluster, task: taskArn });
  });
});
