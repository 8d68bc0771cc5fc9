// npm run bench -- store-etcd
// The store benchmark's two throughput figures — status-update writes/s and watch events/s — on the
// etcd backend, beside the memory backend in the same run; then leader failover time over 5
// SIGKILLs of the leading replica process. etcd: BATON_ETCD_ENDPOINTS or the member that
// `bash scripts/provision.sh etcd` starts on 127.0.0.1:2379. Knobs: BENCH_TASKS (objects, default
// 2,000), BENCH_WRITES (default 2,000), BENCH_KILLS (default 5), BENCH_LEASE_MS (lease duration,
// default 3,000; renew deadline and retry period scale with it). Last line: one JSON object.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createEtcdStore, createMemoryStore, defineKinds, kind, type Store } from '@baton-ecs/store';
import { machine } from './_machine.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 2_000);
const WRITES = Number(process.env.BENCH_WRITES ?? 2_000);
const KILLS = Number(process.env.BENCH_KILLS ?? 5);
const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 3_000);
const SUBSCRIBERS = 20;
const IN_FLIGHT = 32;
const endpoints = process.env.BATON_ETCD_ENDPOINTS ?? 'http://127.0.0.1:2379';
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const here = dirname(fileURLToPath(import.meta.url));

interface BenchTask {
  taskArn: string;
  clusterArn: string;
  containerInstanceArn: string;
  group: string;
  lastStatus: string;
  desiredStatus: string;
  version: number;
  containers: { name: string; image: string; lastStatus: string; runtimeId: string }[];
}

const kinds = defineKinds({
  Task: kind<BenchTask>({
    key: (t) => t.taskArn,
    spec: (t) => ({ desiredStatus: t.desiredStatus }),
    indexes: {
      byService: (t) => [t.group],
      byInstance: (t) => [t.containerInstanceArn],
      byCluster: (t) => [t.clusterArn],
    },
  }),
});
type Kinds = typeof kinds;

const ARN = 'arn:aws:ecs:us-east-1:123456789012';
function task(i: number): BenchTask {
  return {
    taskArn: `${ARN}:task/bench/${randomBytes(16).toString('hex')}`,
    clusterArn: `${ARN}:cluster/bench`,
    containerInstanceArn: `${ARN}:container-instance/bench/i-${i % 20}`,
    group: `service:web-${i % 50}`,
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    version: 1,
    containers: [
      { name: 'web', image: 'nginx:1.27', lastStatus: 'PENDING', runtimeId: randomBytes(32).toString('hex') },
    ],
  };
}

const statuses = ['PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING'];
const touch = (n: number) => (d: BenchTask) => {
  d.version += 1; // like ECS, every change bumps the task's version: no write is a no-op
  d.lastStatus = statuses[n % statuses.length] as string;
};

interface Figures {
  writesPerSecond: number;
  concurrentWritesPerSecond: number;
  watchEventsPerSecond: number;
  listAllMs: number;
}

async function measure(name: string, store: Store<Kinds>): Promise<Figures> {
  const keys: string[] = [];
  for (let i = 0; i < TASKS; i += 250) {
    const batch = Array.from({ length: Math.min(250, TASKS - i) }, (_, k) => task(i + k));
    await store.commit(batch.map((object) => ({ op: 'create', kind: 'Task', object })));
    keys.push(...batch.map((t) => t.taskArn));
  }
  const l0 = performance.now();
  await store.list('Task');
  const listAllMs = performance.now() - l0;

  // One status update awaited at a time.
  const t1 = performance.now();
  for (let n = 0; n < WRITES; n++)
    await store.update('Task', keys[(n * 7919) % keys.length] as string, touch(n));
  const writesPerSecond = WRITES / ((performance.now() - t1) / 1000);

  // IN_FLIGHT writers at once, each on its own tasks.
  const t2 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      for (let n = w; n < WRITES; n += IN_FLIGHT) {
        await store.update('Task', keys[(n * 104729) % keys.length] as string, touch(n));
      }
    }),
  );
  const concurrentWritesPerSecond = WRITES / ((performance.now() - t2) / 1000);

  // Watch fan-out: SUBSCRIBERS watchers of every task change, writes IN_FLIGHT at a time.
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
  await new Promise((r) => setTimeout(r, 200));
  const fanout = Math.min(WRITES, 1_000);
  const expected = fanout * SUBSCRIBERS;
  const t3 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      for (let n = w; n < fanout; n += IN_FLIGHT) {
        await store.update('Task', keys[(n * 31) % keys.length] as string, touch(n + 1));
      }
    }),
  );
  const deadline = Date.now() + 60_000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  const watchEventsPerSecond = delivered / ((performance.now() - t3) / 1000);
  for (const s of subs) s.unsubscribe();
  if (delivered < expected) throw new Error(`${name}: only ${delivered} of ${expected} watch events arrived`);

  const f = {
    writesPerSecond: Math.round(writesPerSecond),
    concurrentWritesPerSecond: Math.round(concurrentWritesPerSecond),
    watchEventsPerSecond: Math.round(watchEventsPerSecond),
    listAllMs: Number(listAllMs.toFixed(1)),
  };
  log(
    `${name}: ${f.writesPerSecond} writes/s (one at a time), ${f.concurrentWritesPerSecond} writes/s (${IN_FLIGHT} in flight), ` +
      `${f.watchEventsPerSecond} watch events/s (${SUBSCRIBERS} watchers), list of ${TASKS} in ${f.listAllMs} ms`,
  );
  return f;
}

/** A replica process (bench/_etcd-replica.ts) and when it reported winning the controller lock. */
class Replica {
  leadingAt: number | undefined;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;

  constructor(prefix: string, identity: string) {
    const timings = {
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: (LEASE_MS * 2) / 3,
      retryPeriodMs: LEASE_MS / 6,
    };
    this.child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, '_etcd-replica.ts'),
        JSON.stringify({ endpoints, prefix, identity, ...timings }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buf = '';
    this.ready = new Promise((resolve, reject) => {
      this.child.on('exit', () => reject(new Error(`replica ${identity} exited`)));
      this.child.stdout?.on('data', (d) => {
        buf += d;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const msg = JSON.parse(buf.slice(0, nl)) as { event: string; t?: number };
          buf = buf.slice(nl + 1);
          if (msg.event === 'ready') resolve();
          if (msg.event === 'leading') this.leadingAt = msg.t;
        }
      });
    });
    this.ready.catch(() => {});
  }

  kill(): Promise<void> {
    return new Promise((r) => {
      this.child.once('exit', () => r());
      this.child.kill('SIGKILL');
    });
  }
}

async function failovers(): Promise<number[]> {
  const prefix = `/baton-bench/failover-${randomUUID()}`;
  const seconds: number[] = [];
  let n = 0;
  const spawnReplica = () => new Replica(prefix, `replica-${++n}`);
  const replicas = [spawnReplica(), spawnReplica()];
  const until = async (what: string, pred: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    await Promise.all(replicas.map((r) => r.ready));
    for (let k = 0; k < KILLS; k++) {
      await until('a leader', () => replicas.some((r) => r.leadingAt !== undefined), LEASE_MS * 5);
      const leader = replicas.find((r) => r.leadingAt !== undefined) as Replica;
      const killedAt = Date.now();
      await leader.kill();
      replicas.splice(replicas.indexOf(leader), 1);
      // A fresh follower for the next round; it may well be the one that wins this one.
      const next = spawnReplica();
      replicas.push(next);
      await until('a new leader', () => replicas.some((r) => r.leadingAt !== undefined), LEASE_MS * 5);
      const took = ((replicas.find((r) => r.leadingAt !== undefined)?.leadingAt as number) - killedAt) / 1000;
      seconds.push(Number(took.toFixed(3)));
      log(`failover ${k + 1}/${KILLS}: ${took.toFixed(2)} s`);
      await next.ready;
    }
  } finally {
    await Promise.all(replicas.map((r) => r.kill()));
  }
  return seconds;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const memoryStore = await createMemoryStore({ kinds });
const memory = await measure('memory', memoryStore);
await memoryStore.close();

const prefix = `/baton-bench/store-${randomUUID()}`;
const etcdStore = await createEtcdStore({ kinds, endpoints, prefix });
let etcd: Figures;
try {
  etcd = await measure(`etcd (${endpoints})`, etcdStore);
} finally {
  await etcdStore.destroy();
}
const seconds = await failovers();

log(
  JSON.stringify({
    bench: 'store-etcd',
    endpoints,
    tasks: TASKS,
    writes: WRITES,
    writesPerSecond: etcd.writesPerSecond,
    concurrentWritesPerSecond: etcd.concurrentWritesPerSecond,
    watchEventsPerSecond: etcd.watchEventsPerSecond,
    watchSubscribers: SUBSCRIBERS,
    listAllMs: etcd.listAllMs,
    memory,
    failoverSecondsMedian: median(seconds),
    failoverSeconds: seconds,
    lease: { leaseDurationMs: LEASE_MS, renewDeadlineMs: (LEASE_MS * 2) / 3, retryPeriodMs: LEASE_MS / 6 },
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    machine: machine(),
  }),
);
process.exit(0);
