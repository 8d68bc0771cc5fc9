import type { Task } from '@baton-ecs/model';
import { serviceMessages } from '@baton-ecs/reconciler';
import type { ImagePinner } from '@baton-ecs/runtime-docker';
import { serviceKey } from '@baton-ecs/store';
import { afterEach, describe, expect, it } from 'vitest';
import { pinTaskImages, resolveDeploymentImages, unresolvedDeployments } from '../src/deployment-images.js';
import { type MemoryBaton, memoryBaton } from './support/memory-baton.js';

/**
 * ECS's software version consistency, without Docker: the service controller resolves a new
 * deployment's images once, through the same pinner the agents use, and every task of the
 * deployment carries the pinned reference. (The real-engine version, with a registry whose tag
 * moves, is e2e/image-consistency.e2e.test.ts.)
 */

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const registry = 'registry.test:5000';

/** A registry whose tags the test moves; counts lookups; `broken` makes every lookup fail. */
function fakeRegistry() {
  const tags = new Map<string, string>();
  const state = { lookups: 0, broken: undefined as string | undefined };
  const pinner: ImagePinner = {
    async pin(image) {
      if (!image.startsWith(`${registry}/`)) return undefined;
      state.lookups++;
      if (state.broken) throw new Error(state.broken);
      const d = tags.get(image);
      if (!d) throw new Error(`manifest unknown: ${image}`);
      return { image: `${image.slice(0, image.lastIndexOf(':'))}@${d}`, digest: d };
    },
  };
  return { tags, state, pinner };
}

describe('resolveDeploymentImages', () => {
  it('resolves tags, keeps digests, leaves registries it does not resolve, reports failures', async () => {
    const { tags, pinner } = fakeRegistry();
    tags.set(`${registry}/app:v1`, digest('a'));
    const { images, failures } = await resolveDeploymentImages(
      {
        containerDefinitions: [
          { name: 'app', image: `${registry}/app:v1` },
          { name: 'pinned', image: `${registry}/side@${digest('b')}` },
          { name: 'local', image: 'baton-test/busybox:1' },
          { name: 'gone', image: `${registry}/gone:v9` },
        ] as never,
      },
      pinner,
      'ecs-svc/1',
    );
    expect(images).toEqual([
      { containerName: 'app', image: `${registry}/app:v1`, imageDigest: digest('a') },
      { containerName: 'pinned', image: `${registry}/side@${digest('b')}`, imageDigest: digest('b') },
      { containerName: 'local', image: 'baton-test/busybox:1' },
    ]);
    expect(failures).toEqual([
      {
        containerName: 'gone',
        image: `${registry}/gone:v9`,
        message: `manifest unknown: ${registry}/gone:v9`,
      },
    ]);
  });
});

describe('pinTaskImages', () => {
  const task = {
    taskArn: 't',
    containers: [
      { name: 'app', image: `${registry}/app:v1` },
      { name: 'pinned', image: `${registry}/side@${digest('b')}` },
      { name: 'local', image: 'baton-test/busybox:1' },
    ],
  } as unknown as Task;
  const deployment = {
    containerImages: [
      { containerName: 'app', image: `${registry}/app:v1`, imageDigest: digest('a') },
      { containerName: 'pinned', image: `${registry}/side@${digest('b')}`, imageDigest: digest('b') },
      { containerName: 'local', image: 'baton-test/busybox:1' },
    ],
  };

  it('runs the repository at the digest; a digest reference as given; an unresolved image as it is', () => {
    const pinned = pinTaskImages(task, deployment);
    expect(pinned.containers.map((c) => [c.image, c.imageDigest])).toEqual([
      [`${registry}/app@${digest('a')}`, digest('a')],
      [`${registry}/side@${digest('b')}`, digest('b')],
      ['baton-test/busybox:1', undefined],
    ]);
    // Pinning is idempotent, and a task of no resolved deployment is left alone.
    expect(pinTaskImages(pinned, deployment)).toBe(pinned);
    expect(pinTaskImages(task, undefined)).toBe(task);
    expect(pinTaskImages(task, {})).toBe(task);
  });

  it('unresolvedDeployments: only a PRIMARY still rolling out', () => {
    const d = (status: string, rolloutState: string, containerImages?: unknown) =>
      ({
        id: `${status}-${rolloutState}`,
        status,
        rolloutState,
        ...(containerImages ? { containerImages } : {}),
      }) as never;
    expect(
      unresolvedDeployments({
        deployments: [
          d('PRIMARY', 'IN_PROGRESS'),
          d('ACTIVE', 'IN_PROGRESS'),
          d('PRIMARY', 'COMPLETED'),
          d('PRIMARY', 'IN_PROGRESS', []),
        ],
      }).map((x) => x.id),
    ).toEqual(['PRIMARY-IN_PROGRESS']);
  });
});

describe('the service controller pins each deployment to one digest', () => {
  let m: MemoryBaton | undefined;
  afterEach(async () => {
    await m?.stop();
    m = undefined;
  });

  async function service(pinner: ImagePinner, desiredCount: number) {
    m = await memoryBaton('pin', { images: pinner });
    for (const id of ['i-1', 'i-2']) await m.addInstance(id, { memory: 4096 });
    await m.baton.registerTaskDefinition({
      family: 'app',
      containerDefinitions: [
        { name: 'app', image: `${registry}/app:v`, memory: 64 },
        { name: 'side', image: 'baton-test/busybox:1', memory: 64 },
      ],
    });
    await m.baton.createService({ cluster: 'pin', serviceName: 'app', taskDefinition: 'app', desiredCount });
    return m;
  }

  const live = (b: MemoryBaton) =>
    [...b.baton.internals.informers.tasks.values()]
      .map((e) => e.object)
      .filter((t) => t.desiredStatus === 'RUNNING');
  const stored = async (b: MemoryBaton) => (await b.store.get('Service', serviceKey('pin', 'app')))!.object;

  it('a tag moved after the deployment started: tasks launched later still run the first digest; a new deployment takes the new one', async () => {
    const reg = fakeRegistry();
    reg.tags.set(`${registry}/app:v`, digest('1'));
    const b = await service(reg.pinner, 2);
    await b.tasksCached(() => live(b).length === 2);
    const first = (await stored(b)).deployments[0]!;
    expect(first.containerImages).toEqual([
      { containerName: 'app', image: `${registry}/app:v`, imageDigest: digest('1') },
      { containerName: 'side', image: 'baton-test/busybox:1' },
    ]);
    expect(reg.state.lookups).toBe(1);

    reg.tags.set(`${registry}/app:v`, digest('2'));
    await b.baton.updateService({ cluster: 'pin', service: 'app', desiredCount: 4 });
    await b.tasksCached(() => live(b).length === 4);
    const images = (ts: readonly Task[]) =>
      ts.map((t) => t.containers.map((c) => [c.name, c.image, c.imageDigest]));
    for (const t of images(live(b)))
      expect(t).toEqual([
        ['app', `${registry}/app@${digest('1')}`, digest('1')],
        ['side', 'baton-test/busybox:1', undefined],
      ]);
    // Scaling resolved nothing again: the deployment's digest is the one every task runs.
    expect(reg.state.lookups).toBe(1);

    const forced = await b.baton.updateService({ cluster: 'pin', service: 'app', forceNewDeployment: true });
    const second = forced.deployments[0]!.id;
    await b.tasksCached(() => live(b).some((t) => t.startedBy === second));
    expect((await stored(b)).deployments[0]).toMatchObject({
      id: second,
      containerImages: [{ containerName: 'app', imageDigest: digest('2') }, { containerName: 'side' }],
    });
    const fresh = live(b).filter((t) => t.startedBy === second);
    expect(fresh.length).toBeGreaterThan(0);
    for (const t of fresh) expect(t.containers[0]!.image).toBe(`${registry}/app@${digest('2')}`);
    for (const t of live(b).filter((x) => x.startedBy === first.id))
      expect(t.containers[0]!.imageDigest).toBe(digest('1'));
  });

  it('a tag the registry cannot resolve: an event says so, tasks use the tag, and the next deployment pass resolves it', async () => {
    const reg = fakeRegistry();
    reg.state.broken = 'registry.test:5000: connection refused';
    const b = await service(reg.pinner, 1);
    await b.tasksCached(() => live(b).length === 1);
    const s = await stored(b);
    const id = s.deployments[0]!.id;
    expect(s.deployments[0]!.containerImages).toBeUndefined();
    expect(s.events.map((e) => e.message)).toContain(
      serviceMessages.imageUnresolved(
        'app',
        id,
        'app',
        `${registry}/app:v`,
        'registry.test:5000: connection refused',
      ),
    );
    expect(live(b)[0]!.containers[0]!.image).toBe(`${registry}/app:v`);

    // The registry is back: the next pass resolves the deployment, and later tasks are pinned.
    reg.state.broken = undefined;
    reg.tags.set(`${registry}/app:v`, digest('3'));
    await b.baton.updateService({ cluster: 'pin', service: 'app', desiredCount: 2 });
    await b.tasksCached(() => live(b).length === 2);
    expect((await stored(b)).deployments[0]!.containerImages?.[0]?.imageDigest).toBe(digest('3'));
    expect(live(b).filter((t) => t.containers[0]!.imageDigest === digest('3'))).toHaveLength(1);
  });
});
