import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  engine1,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('logs-awslogs');
const group = `/baton/${cluster}`;
const dataDir = mkdtempSync(join(tmpdir(), 'baton-awslogs-'));
const options = {
  cluster,
  dataDir,
  engines: [{ endpoint: engine1, instanceId: 'engine-1' }],
  logs: { pollMs: 200 },
};
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  baton = await testBaton(options);
});

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every message of the stream, oldest first, read page by page forward from the head. */
async function readAll(stream: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await baton.logs.getLogEvents({
      logGroupName: group,
      logStreamName: stream,
      startFromHead: true,
      limit: 7,
      ...(token ? { nextToken: token } : {}),
    });
    out.push(...page.events.map((e) => e.message));
    if (page.nextForwardToken === token) return out;
    token = page.nextForwardToken;
  }
}

describe('awslogs on a real engine', { timeout: 90_000 }, () => {
  it('keeps a container’s lines in prefix/container/task-id, in order, and again after a restart with no loss or duplicates', async () => {
    await baton.registerTaskDefinition({
      family: 'talker',
      containerDefinitions: [
        {
          name: 'app',
          image: testImage,
          memory: 16,
          stopTimeout: 1,
          // 20 lines, then a pause (Baton restarts meanwhile), then 20 more, then a multiline event.
          command: [
            'sh',
            '-c',
            'for i in $(seq 1 20); do echo line-$i; done; sleep 4; for i in $(seq 21 40); do echo line-$i; done; printf "BEGIN trace\\n  at one\\n  at two\\nBEGIN end\\n"; sleep 30',
          ],
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': group,
              'awslogs-region': 'local',
              'awslogs-stream-prefix': 'web',
              'awslogs-create-group': 'true',
              'awslogs-multiline-pattern': '^line-|^BEGIN',
            },
          },
        },
      ],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'talker' });
    const taskArn = tasks[0]!.taskArn;
    const stream = `web/app/${taskArn.split('/').pop()}`;
    const first = await waitFor('the first 20 lines', 30_000, async () => {
      const lines = await readAll(stream).catch(() => []);
      return lines.length >= 20 ? lines : undefined;
    });
    expect(first.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `line-${i + 1}`));

    // A restart over the same dataDir, while the container keeps writing.
    await baton.stop();
    baton = await testBaton(options);
    const all = await waitFor('the rest, and the multiline event', 30_000, async () => {
      const lines = await readAll(stream);
      return lines.includes('BEGIN end') ? lines : undefined;
    });
    expect(all).toEqual([
      ...Array.from({ length: 40 }, (_, i) => `line-${i + 1}`),
      'BEGIN trace\n  at one\n  at two',
      'BEGIN end',
    ]);

    const { logStreams } = await baton.logs.describeLogStreams({ logGroupName: group });
    expect(logStreams.map((s) => s.logStreamName)).toEqual([stream]);
    expect(logStreams[0]!.lastEventTimestamp).toBeGreaterThanOrEqual(logStreams[0]!.firstEventTimestamp!);
    const found = await baton.logs.filterLogEvents({ logGroupName: group, filterPattern: '"at one"' });
    expect(found.events.map((e) => e.message)).toEqual(['BEGIN trace\n  at one\n  at two']);
    // Backward from the tail: the newest two events.
    const tail = await baton.logs.getLogEvents({ logGroupName: group, logStreamName: stream, limit: 2 });
    expect(tail.events.map((e) => e.message)).toEqual(['BEGIN trace\n  at one\n  at two', 'BEGIN end']);
    await baton.stopTask({ cluster, task: taskArn });
  });
});
