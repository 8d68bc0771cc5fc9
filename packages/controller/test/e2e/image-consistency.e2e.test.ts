import { randomBytes } from 'node:crypto';
import { basicCredentials, staticCredentials } from '@baton-ecs/registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from '../../src/index.js';
import {
  clusterContainers,
  engine1,
  liveTasks,
  pushImageVersion,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testRegistry,
  uniqueCluster,
  waitFor,
} from './harness.js';

/**
 * ECS's software version consistency on a real engine and a real registry: the control plane
 * resolves a deployment's tag to a digest once, when the deployment is created; tasks launched
 * later — after the tag has moved — still run that digest; a new deployment resolves it again.
 */

const { address: registry, username, password } = testRegistry;
const repository = `${registry}/baton-e2e/consistency-${randomBytes(3).toString('hex')}`;
const cluster = uniqueCluster('fidelity-digest');
let baton: Baton;

beforeAll(async () => {
  await requireEngine(engine1);
  baton = await testBaton({
    cluster,
    engines: [{ endpoint: engine1, instanceId: 'engine-1' }],
    registry: {
      registries: [registry],
      credentials: staticCredentials({ [registry]: basicCredentials(username, password) }),
    },
  });
}, 60_000);

afterAll(async () => {
  await baton?.stop();
  await removeClusterContainers(engine1, cluster);
}, 60_000);

const serviceName = 'consistent';
const running = (n: number, digest: string) =>
  waitFor(`${n} RUNNING tasks on ${digest.slice(0, 19)}…`, 90_000, async () => {
    const t = await liveTasks(baton, cluster, serviceName);
    return t.length === n &&
      t.every((x) => x.lastStatus === 'RUNNING' && x.containers[0]!.imageDigest === digest)
      ? t
      : undefined;
  });

describe('one image digest per deployment', { timeout: 240_000 }, () => {
  it('a tag moved mid-deployment: scale-out runs the first digest; force-new-deployment takes the new one', async () => {
    const first = await pushImageVersion(repository, 'v', 'one');
    await baton.registerTaskDefinition({
      family: serviceName,
      containerDefinitions: [
        {
          name: 'httpd',
          image: `${repository}:v`,
          memory: 32,
          command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          stopTimeout: 1,
          healthCheck: {
            command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
            interval: 5,
            retries: 2,
          },
        },
      ],
    });
    const created = await baton.createService({
      cluster,
      serviceName,
      taskDefinition: serviceName,
      desiredCount: 2,
    });
    const deployment = created.deployments[0]!.id;
    const two = await running(2, first);
    // The control plane pinned the deployment and wrote the pinned reference into each task it launched.
    const [described] = (await baton.describeServices({ cluster, services: [serviceName] })).services;
    expect(described!.deployments[0]).toMatchObject({
      id: deployment,
      containerImages: [{ containerName: 'httpd', image: `${repository}:v`, imageDigest: first }],
    });
    expect(two.map((t) => t.containers[0]!.image)).toEqual([
      `${repository}@${first}`,
      `${repository}@${first}`,
    ]);

    // The tag moves to a new image; the deployment scales out to 4.
    const second = await pushImageVersion(repository, 'v', 'two');
    expect(second).not.toBe(first);
    await baton.updateService({ cluster, service: serviceName, desiredCount: 4 });
    const four = await running(4, first);
    expect(four.every((t) => t.startedBy === deployment)).toBe(true);
    const containers = await clusterContainers(engine1, cluster);
    const httpds = containers.filter((c) => c.Image.startsWith(repository));
    expect(httpds).toHaveLength(4);
    expect(new Set(httpds.map((c) => c.Image))).toEqual(new Set([`${repository}@${first}`]));

    // A new deployment of the same revision resolves the tag again: every task moves to the new digest.
    const forced = await baton.updateService({ cluster, service: serviceName, forceNewDeployment: true });
    const next = forced.deployments[0]!.id;
    expect(next).not.toBe(deployment);
    const replaced = await running(4, second);
    expect(
      replaced.every((t) => t.startedBy === next && t.containers[0]!.image === `${repository}@${second}`),
    ).toBe(true);
  });
});
