// npm run bench -- store
// Heap per stored task, status-update writes/s and watch fan-out for @baton-ecs/store's memory
// backend at 100,000 ECS-shaped tasks, plus durable (group-committed) write throughput. Prints
// progress, then one JSON object on the last line. Knobs: BENCH_TASKS, BENCH_WINDOW (watch window).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, defineKinds, kind } from '@baton-ecs/store';
import { Immer } from 'immer';

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const UPDATES = 200_000;
const SUBSCRIBERS = 100;
const FANOUT_WRITES = 20_000;
const FANOUT_BATCH = 500;

interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: string;
}
interface Container {
  containerArn: string;
  taskArn: string;
  name: string;
  image: string;
  lastStatus: string;
  networkBindings: NetworkBinding[];
  healthStatus: string;
}
interface EcsTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceArn: string;
  group: string;
  lastStatus: string;
  desiredStatus: string;
  cpu: string;
  memory: string;
  launchType: string;
  createdAt: number;
  startedAt: number;
  version: number;
  containers: Container[];
}

const kinds = defineKinds({
  Task: kind<EcsTask>({
    key: (t) => t.taskArn,
    spec: (t) => ({ taskDefinitionArn: t.taskDefinitionArn, desiredStatus: t.desiredStatus }),
    indexes: {
      byService: (t) => [t.group],
      byInstance: (t) => [t.containerInstanceArn],
      byCluster: (t) => [t.clusterArn],
    },
  }),
});

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const hex = () => randomBytes(16).toString('hex');
const ARN = 'arn:aws:ecs:us-east-1:123456789012';

/**
 * A task as DescribeTasks returns it, parsed from JSON text the way an API server would receive
 * it: every string is its own heap copy; task and container ARNs are unique per task.
 */
function taskJson(i: number): string {
  const cluster = `cluster-${i % 10}`;
  const svc = `web-${i % 1000}`;
  const id = hex();
  const taskArn = `${ARN}:task/${cluster}/${id}`;
  const containers = Array.from({ length: 1 + (i % 2) }, (_, c) => ({
    containerArn: `${ARN}:container/${cluster}/${id}/${hex()}`,
    taskArn,
    name: c === 0 ? 'web' : 'log-router',
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${svc}:sha-${hex().slice(0, 12)}`,
    lastStatus: 'RUNNING',
    networkBindings: [
      { bindIP: '0.0.0.0', containerPort: 8080 + c, hostPort: 32768 + (i % 28000), protocol: 'tcp' },
    ],
    healthStatus: 'HEALTHY',
  }));
  return JSON.stringify({
    taskArn,
    clusterArn: `${ARN}:cluster/${cluster}`,
    taskDefinitionArn: `${ARN}:task-definition/${svc}:${1 + (i % 7)}`,
    containerInstanceArn: `${ARN}:container-instance/${cluster}/${(i % 2000).toString(16).padStart(32, '0')}`,
    group: `service:${svc}`,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    cpu: '256',
    memory: '512',
    launchType: 'EC2',
    createdAt: 1_700_000_000 + i / 1000,
    startedAt: 1_700_000_005 + i / 1000,
    version: 3,
    containers,
  });
}

async function main() {
  log(`store bench: ${TASKS} tasks, node ${process.version}, ${cpus()[0]?.model ?? '?'} x${cpus().length}`);
  if (!gc) log('warning: run with --expose-gc (npm run bench -- store) for memory figures');

  // Baseline: the parsed objects alone, to separate object size from store overhead.
  let base0 = heap();
  let raw: unknown[] | undefined = Array.from({ length: TASKS }, (_, i) => JSON.parse(taskJson(i)));
  const objectBytesPerTask = (heap() - base0) / TASKS;
  raw = undefined;
  void raw;

  base0 = heap();
  const store = await createMemoryStore({ kinds, watchWindow: Number(process.env.BENCH_WINDOW ?? 10_000) });
  const keys: string[] = new Array(TASKS);
  const t0 = performance.now();
  for (let i = 0; i < TASKS; i++) {
    const t = JSON.parse(taskJson(i)) as EcsTask;
    keys[i] = t.taskArn;
    await store.create('Task', t);
  }
  const createsPerSecond = TASKS / ((performance.now() - t0) / 1000);
  const keysBytes = TASKS * 8; // the bench's own key array, not the store's
  const bytesPerTask = (heap() - base0 - keysBytes) / TASKS;
  log(`memory: ${bytesPerTask.toFixed(0)} B/task stored (objects alone ${objectBytesPerTask.toFixed(0)} B)`);

  const median = async (fn: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[2] as number;
  };
  const allCount = (await store.list('Task')).items.length;
  const listAllMs = await median(() => store.list('Task'));
  const one = await store.list('Task', { index: 'byService', value: 'service:web-7' });
  const listByServiceMs = await median(() =>
    store.list('Task', { index: 'byService', value: 'service:web-7' }),
  );
  log(
    `list: all ${allCount} in ${listAllMs.toFixed(1)} ms, by service ${one.items.length} in ${listByServiceMs.toFixed(3)} ms`,
  );

  // Status updates via recipes: the agent/observer write path.
  const statuses = ['RUNNING', 'DEACTIVATING', 'STOPPING', 'RUNNING'];
  const t1 = performance.now();
  for (let n = 0; n < UPDATES; n++) {
    const s = statuses[n % statuses.length] as string;
    await store.update('Task', keys[(n * 7919) % TASKS] as string, (d) => {
      d.version += 1; // ECS bumps a task's version on every change, so no write is a no-op
      d.lastStatus = s;
      const c = d.containers[0];
      if (c) {
        c.lastStatus = s;
        c.healthStatus = s === 'RUNNING' ? 'HEALTHY' : 'UNKNOWN';
      }
    });
  }
  const writesPerSecond = UPDATES / ((performance.now() - t1) / 1000);
  const bytesPerTaskAfterUpdates = (heap() - base0 - keysBytes) / TASKS;
  log(
    `writes: ${writesPerSecond.toFixed(0)}/s; memory after updates ${bytesPerTaskAfterUpdates.toFixed(0)} B/task`,
  );

  // Watch fan-out: 100 subscribers on every task change, writes in bursts.
  let delivered = 0;
  const from = await store.version();
  const subs = Array.from({ length: SUBSCRIBERS }, () =>
    store.watch({ kind: 'Task' }, { fromVersion: from }).subscribe({
      next: (e) => {
        if (e.type !== 'SYNCED') delivered++;
      },
      error: (e) => {
        throw e;
      },
    }),
  );
  await new Promise((r) => setImmediate(r));
  const expected = FANOUT_WRITES * SUBSCRIBERS;
  const t2 = performance.now();
  for (let n = 0; n < FANOUT_WRITES; n += FANOUT_BATCH) {
    for (let k = n; k < n + FANOUT_BATCH; k++) {
      const s = statuses[k % statuses.length] as string;
      void store.update('Task', keys[(k * 104729) % TASKS] as string, (d) => {
        d.version += 1;
        d.lastStatus = s;
      });
    }
    await new Promise((r) => setImmediate(r));
  }
  while (delivered < expected) await new Promise((r) => setImmediate(r));
  const fanoutSeconds = (performance.now() - t2) / 1000;
  const watchEventsPerSecond = delivered / fanoutSeconds;
  for (const s of subs) s.unsubscribe();
  log(
    `watch: ${delivered} events to ${SUBSCRIBERS} subscribers, ${watchEventsPerSecond.toFixed(0)} events/s`,
  );

  // Why not one immer produce over the whole collection: it copies every slot per write.
  const immer = new Immer({ autoFreeze: true });
  let tree: Record<string, EcsTask> = Object.freeze(
    Object.fromEntries((await store.list('Task')).items.map((e) => [e.key, e.object as EcsTask])),
  ) as Record<string, EcsTask>;
  const PRODUCES = 20;
  const t3 = performance.now();
  for (let n = 0; n < PRODUCES; n++) {
    const key = keys[n] as string;
    tree = immer.produce(tree, (d) => {
      (d[key] as EcsTask).lastStatus = `X${n}`;
    });
  }
  const collectionProduceMsPerWrite = (performance.now() - t3) / PRODUCES;
  log(
    `a collection-level immer produce at ${TASKS} tasks: ${collectionProduceMsPerWrite.toFixed(2)} ms/write`,
  );

  await store.close();
  const durable = await durableWrites();
  log(
    `durable: ${durable.writesPerSecond.toFixed(0)} writes/s with ${durable.commitsPerFlush.toFixed(0)} commits per write+fdatasync`,
  );

  const result = {
    bench: 'store',
    tasks: TASKS,
    bytesPerTask: Math.round(bytesPerTask),
    objectBytesPerTask: Math.round(objectBytesPerTask),
    storeOverheadBytesPerTask: Math.round(bytesPerTask - objectBytesPerTask),
    bytesPerTaskAfterUpdates: Math.round(bytesPerTaskAfterUpdates),
    createsPerSecond: Math.round(createsPerSecond),
    writesPerSecond: Math.round(writesPerSecond),
    watchSubscribers: SUBSCRIBERS,
    watchEventsPerSecond: Math.round(watchEventsPerSecond),
    listAllMs: Number(listAllMs.toFixed(1)),
    listByServiceMs: Number(listByServiceMs.toFixed(3)),
    collectionProduceMsPerWrite: Number(collectionProduceMsPerWrite.toFixed(2)),
    durableWritesPerSecond: Math.round(durable.writesPerSecond),
    durableCommitsPerFlush: Math.round(durable.commitsPerFlush),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Status updates against a durable store: many writers in flight, group-committed. */
async function durableWrites() {
  const dir = await mkdtemp(join(tmpdir(), 'baton-bench-store-'));
  try {
    const store = await createMemoryStore({ kinds, persistence: { dir, snapshotEvery: 50_000 } });
    const N = 10_000;
    const keys: string[] = [];
    for (let i = 0; i < N; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => JSON.parse(taskJson(i + k)) as EcsTask);
      for (const t of batch) keys.push(t.taskArn);
      await store.commit(batch.map((object) => ({ op: 'create' as const, kind: 'Task' as const, object })));
    }
    const before = store.stats().persistence!;
    const WRITES = 50_000;
    const IN_FLIGHT = 250;
    const t = performance.now();
    for (let n = 0; n < WRITES; n += IN_FLIGHT) {
      const batch: Promise<unknown>[] = [];
      for (let k = n; k < n + IN_FLIGHT; k++) {
        batch.push(
          store.update('Task', keys[(k * 7919) % N] as string, (d) => {
            d.version += 1;
            d.lastStatus = k % 2 ? 'RUNNING' : 'STOPPING';
          }),
        );
      }
      await Promise.all(batch);
    }
    const seconds = (performance.now() - t) / 1000;
    const after = store.stats().persistence!;
    await store.close();
    return { writesPerSecond: WRITES / seconds, commitsPerFlush: WRITES / (after.flushes - before.flushes) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
