import { arns, type ContainerInstance } from '@baton-ecs/model';
import {
  type BatonKinds,
  batonKinds,
  createMemoryStore,
  type KindMap,
  type KindName,
  type MemoryStore,
  type Store,
} from '@baton-ecs/store';
import {
  type Baton,
  type BatonOptions,
  createBaton,
  type Informer,
  ManualClock,
  silentLogger,
  waitForCache,
} from '../../src/index.js';

/** Timestamps are epoch ms (small numbers read as seconds, as ECS JSON's): tests start at a real date. */
export const t0 = Date.UTC(2024, 0, 1);

export interface MemoryBaton {
  readonly baton: Baton;
  /** The real store (writes here bypass any fault wrapped around Baton's). */
  readonly store: MemoryStore<BatonKinds>;
  readonly clock: ManualClock;
  /** Registers an instance as its agent would (no engine: its tasks stay where Baton puts them). */
  addInstance(id: string, resources?: { cpu?: number; memory?: number }): Promise<ContainerInstance>;
  /** Resolves once Baton's task cache satisfies `holds` (on its changes; fails after 10 s). */
  tasksCached(holds: () => boolean): Promise<void>;
  /** Resolves once `informer`'s cache satisfies `holds` (on its changes; fails after 10 s). */
  cached<K extends KindMap, N extends KindName<K>>(
    informer: Informer<K, N>,
    holds: () => boolean,
  ): Promise<void>;
  stop(): Promise<void>;
}

/**
 * createBaton over a memory store and a manual clock, with no engine: the production wiring
 * (API, informers, cluster states, service controller) without Docker. `wrap` puts faults between
 * Baton and the store.
 */
export async function memoryBaton(
  cluster: string,
  options: Partial<BatonOptions> & { wrap?: (store: Store<BatonKinds>) => Store<BatonKinds> } = {},
): Promise<MemoryBaton> {
  const clock = new ManualClock(t0);
  const store = await createMemoryStore({ kinds: batonKinds, clock: () => clock.now() });
  const { wrap, ...rest } = options;
  const baton = await createBaton({
    store: wrap ? wrap(store) : store,
    clock,
    seed: 1,
    cluster,
    logger: silentLogger,
    resyncMs: 0,
    ...rest,
  });
  await baton.start();
  const tasks = baton.internals.informers.tasks;
  const cached = async <K extends KindMap, N extends KindName<K>>(
    informer: Informer<K, N>,
    holds: () => boolean,
  ) => {
    if (!(await waitForCache(informer, holds, { timeoutMs: 10_000 })))
      throw new Error(`Baton’s ${informer.kind} cache did not reach the expected state within 10 s`);
  };
  return {
    baton,
    store,
    clock,
    async addInstance(id, resources = {}) {
      const registered = [
        { name: 'CPU', type: 'INTEGER' as const, integerValue: resources.cpu ?? 1024 },
        { name: 'MEMORY', type: 'INTEGER' as const, integerValue: resources.memory ?? 1024 },
        { name: 'PORTS', type: 'STRINGSET' as const, stringSetValue: [] },
        { name: 'PORTS_UDP', type: 'STRINGSET' as const, stringSetValue: [] },
      ];
      const instance: ContainerInstance = {
        containerInstanceArn: arns.containerInstance(cluster, id),
        ec2InstanceId: id,
        status: 'ACTIVE',
        agentConnected: true,
        registeredResources: registered,
        remainingResources: registered,
        attributes: [{ name: 'ecs.os-type', value: 'linux' }],
        runningTasksCount: 0,
        pendingTasksCount: 0,
        registeredAt: clock.now(),
        tags: [],
      };
      await store.create('ContainerInstance', instance);
      const instances = baton.internals.informers.instances;
      await waitForCache(instances, () => instances.get(instance.containerInstanceArn) !== undefined, {
        timeoutMs: 10_000,
      });
      return instance;
    },
    tasksCached: (holds) => cached(tasks, holds),
    cached,
    async stop() {
      await baton.stop();
      await store.close();
    },
  };
}
