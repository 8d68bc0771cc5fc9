import { describe, expect, it } from 'vitest';
import {
  batonOnEngine1,
  runTaskUntilRunning,
  stopTaskUntilStopped,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

// awslogs needs its log group unless awslogs-create-group is "true", as Docker's awslogs driver does.
const cluster = uniqueCluster('wl-loggroup');
const group = `/wl/${cluster}`;
const baton = batonOnEngine1(cluster);

describe('awslogs log groups on a real engine', { timeout: 60_000 }, () => {
  it('a missing group fails the task with ECS’s error; once the group exists the task runs', async () => {
    await baton.registerTaskDefinition({
      family: 'needs-group',
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 16,
          stopTimeout: 1,
          command: ['sh', '-c', 'echo hello; sleep 60'],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': group, 'awslogs-stream-prefix': 'p' },
          },
        },
      ],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'needs-group' });
    const stopped = await waitFor('the task STOPPED', 30_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [tasks[0]?.taskArn ?? ''] })).tasks;
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(stopped.stopCode).toBe('TaskFailedToStart');
    expect(stopped.stoppedReason).toBe(
      'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
    );
    expect(stopped.containers[0]?.runtimeId).toBeUndefined();

    await baton.logs.createLogGroup({ logGroupName: group });
    const running = await runTaskUntilRunning(baton, cluster, 'needs-group');
    const events = await waitFor('the line in the stream', 20_000, async () => {
      const r = await baton.logs
        .getLogEvents({ logGroupName: group, logStreamName: `p/app/${running.taskArn?.split('/').pop()}` })
        .catch(() => undefined);
      return r && r.events.length > 0 ? r.events : undefined;
    });
    expect(events[0]?.message).toBe('hello');
    await stopTaskUntilStopped(baton, cluster, running.taskArn ?? '');
  });
});
