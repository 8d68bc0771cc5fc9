import { randomBytes } from 'node:crypto';
import { basicCredentials, staticCredentials } from '@baton-ecs/registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  clusterContainers,
  docker,
  engine1,
  liveTasks,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

// The htpasswd registry started by scripts/registry-instance.sh (`npm test` provisions it).
const registry = process.env.BATON_REGISTRY_ADDR ?? '127.0.0.1:5000';
const auth = {
  username: process.env.BATON_REGISTRY_USER ?? 'baton',
  password: process.env.BATON_REGISTRY_PASSWORD ?? 'baton-registry-test',
};
const repository = `${registry}/baton-e2e/web-${randomBytes(3).toString('hex')}`;
const tag = `${repository}:stable`;
const cluster = uniqueCluster('e2e-reg');
let baton: Baton;

/** Pushes a fresh image under `tag` (a commit of the test image with a marker file) and returns its digest. */
async function pushVersion(marker: string): Promise<string> {
  const d = docker(engine1);
  const c = await d.createContainer({ Image: testImage, Cmd: ['sh', '-c', `echo ${marker} > /www/version`] });
  await c.start();
  await c.wait();
  await c.commit({ repo: repository, tag: 'stable' });
  await c.remove();
  const stream = await d.getImage(tag).push({ authconfig: { ...auth, serveraddress: registry } });
  const output = await new Promise<{ aux?: { Digest?: string }; error?: string }[]>((resolve, reject) =>
    d.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
      err ? reject(err) : resolve(out as never),
    ),
  );
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(`docker push ${tag} failed: ${failed.error}`);
  const digest = output.find((o) => o.aux?.Digest)?.aux?.Digest;
  if (!digest) throw new Error(`docker push ${tag} reported no digest`);
  await d.getImage(tag).remove({ force: true }); // Baton must pull it from the registry
  return digest;
}

// A health check lets a rollout move on in seconds (without one ECS waits 40 s per step).
const httpd = {
  name: 'httpd',
  image: tag,
  memory: 32,
  command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
  stopTimeout: 1,
  healthCheck: {
    command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
    interval: 5,
    retries: 2,
  },
};

beforeAll(async () => {
  await requireEngine(engine1);
  baton = await testBaton({
    cluster,
    engines: [{ endpoint: engine1, instanceId: 'engine-1' }],
    registry: {
      registries: [registry],
      credentials: staticCredentials({ [registry]: basicCredentials(auth.username, auth.password) }),
    },
  });
}, 60_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
});

describe('images from a registry with credentials', { timeout: 120_000 }, () => {
  it('pins each deployment to the digest its tag had, and pulls it with credentials', async () => {
    const first = await pushVersion('one');
    await baton.registerTaskDefinition({
      family: 'pinned',
      containerDefinitions: [httpd],
    });
    await baton.createService({ cluster, serviceName: 'pinned', taskDefinition: 'pinned', desiredCount: 2 });
    const tasks = await waitFor('2 RUNNING tasks from the registry', 60_000, async () => {
      const t = await liveTasks(baton, cluster, 'pinned');
      return t.length === 2 && t.every((x) => x.lastStatus === 'RUNNING') ? t : undefined;
    });
    expect(tasks.map((t) => t.containers[0]!.imageDigest)).toEqual([first, first]);
    const [container] = await clusterContainers(engine1, cluster);
    expect(container!.Image).toBe(`${repository}@${first}`);

    // The tag moves; the running deployment keeps its digest, even for a replacement.
    const second = await pushVersion('two');
    expect(second).not.toBe(first);
    await docker(engine1).getContainer(tasks[0]!.containers[0]!.runtimeId!).kill();
    await waitFor('a replacement on the pinned digest', 60_000, async () => {
      const t = await liveTasks(baton, cluster, 'pinned');
      return (
        t.length === 2 &&
        t.every(
          (x) =>
            x.lastStatus === 'RUNNING' &&
            x.taskArn !== tasks[0]!.taskArn &&
            x.containers[0]!.imageDigest === first,
        )
      );
    });

    // A new deployment resolves the tag again.
    await baton.registerTaskDefinition({
      family: 'pinned',
      containerDefinitions: [httpd],
    });
    await baton.updateService({ cluster, service: 'pinned', taskDefinition: 'pinned:2' });
    await waitFor('the new deployment on the new digest', 90_000, async () => {
      const t = await liveTasks(baton, cluster, 'pinned');
      return (
        t.length === 2 &&
        t.every((x) => x.lastStatus === 'RUNNING' && x.containers[0]!.imageDigest === second)
      );
    });
  });

  it('a registry that refuses the image stops the task with CannotPullContainerError', async () => {
    await baton.registerTaskDefinition({
      family: 'missing',
      containerDefinitions: [{ name: 'app', image: `${repository}:no-such-tag`, memory: 32 }],
    });
    const { tasks } = await baton.runTask({ cluster, taskDefinition: 'missing' });
    const stopped = await waitFor('the task to stop', 60_000, async () => {
      const [t] = (await baton.describeTasks({ cluster, tasks: [tasks[0]!.taskArn] })).tasks;
      return t?.lastStatus === 'STOPPED' ? t : undefined;
    });
    expect(stopped.stoppedReason).toMatch(/CannotPullContainerError/);
  });
});
