/**
 * npm run bench -- converge
 * On one real engine (Baton's engine 5, started here without live-restore so
 * Swarm can run on it): time from createService to N RUNNING tasks for N = 10
 * and 50, and time to replace a killed container — for Baton, then for
 * Docker Swarm (`docker service create --replicas N`, same image) on the same
 * engine in the same run. The swarm is left and the engine destroyed after.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createBaton, silentLogger } from 'baton-ecs';
import Docker from 'dockerode';
import { machine } from './_machine.js';

const root = join(import.meta.dirname, '..');
const engine = 'unix:///var/run/baton/docker-5.sock';
const image = process.env.BATON_TEST_IMAGE ?? 'baton-test/busybox:1';
const docker = new Docker({ socketPath: '/var/run/baton/docker-5.sock', timeout: 60_000 });
const command = ['httpd', '-f', '-p', '8080', '-h', '/www'];
const sizes = (process.env.CONVERGE_SIZES ?? '10,50').split(',').map(Number);

function engineScript(action: 'start' | 'destroy'): void {
  execFileSync('bash', [join(root, 'scripts/docker-engine.sh'), action, '5'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BATON_DOCKER_LIVE_RESTORE: '0' },
  });
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  while (!(await probe())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return (performance.now() - start) / 1000;
}

async function runningContainers(label: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ filters: { label: [label], status: ['running'] } });
}

async function baton(n: number): Promise<{ convergeSeconds: number; replaceSeconds: number }> {
  const cluster = `bench-${randomBytes(2).toString('hex')}`;
  const b = await createBaton({
    cluster,
    seed: 1,
    logger: silentLogger,
    engines: [{ endpoint: engine, instanceId: 'bench-engine' }],
    agent: {
      settings: { imagePullBehavior: 'prefer-cached' },
      ...(process.env.CONVERGE_CONCURRENCY ? { concurrency: Number(process.env.CONVERGE_CONCURRENCY) } : {}),
    },
  });
  await b.start();
  await b.registerTaskDefinition({
    family: 'bench',
    // Like the Swarm service: the same image and command, no published port.
    containerDefinitions: [{ name: 'httpd', image, memory: 16, command, stopTimeout: 1 }],
  });
  const running = async (count: number) => {
    const { taskArns } = await b.listTasks({ cluster, serviceName: 'web' });
    if (taskArns.length !== count) return false;
    const { tasks } = await b.describeTasks({ cluster, tasks: taskArns });
    return tasks.every((t) => t.lastStatus === 'RUNNING');
  };
  const t0 = performance.now();
  await b.createService({ cluster, serviceName: 'web', taskDefinition: 'bench', desiredCount: n });
  await until(`${n} Baton tasks RUNNING`, 300_000, () => running(n));
  const convergeSeconds = (performance.now() - t0) / 1000;

  const [victim] = await runningContainers(`com.baton.cluster=${cluster}`);
  await docker.getContainer(victim!.Id).kill();
  const t1 = performance.now();
  await until('a replacement RUNNING', 60_000, async () => {
    const { taskArns } = await b.listTasks({ cluster, serviceName: 'web' });
    const { tasks } = await b.describeTasks({ cluster, tasks: taskArns });
    return (
      tasks.length === n &&
      tasks.every((t) => t.lastStatus === 'RUNNING' && t.containers[0]?.runtimeId !== victim!.Id)
    );
  });
  const replaceSeconds = (performance.now() - t1) / 1000;

  await b.updateService({ cluster, service: 'web', desiredCount: 0 });
  await until(
    'Baton tasks stopped',
    120_000,
    async () => (await runningContainers(`com.baton.cluster=${cluster}`)).length === 0,
  );
  await b.stop();
  for (const c of await docker.listContainers({
    all: true,
    filters: { label: [`com.baton.cluster=${cluster}`] },
  })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  return { convergeSeconds, replaceSeconds };
}

async function swarm(n: number): Promise<{ convergeSeconds: number; replaceSeconds: number }> {
  const name = `bench-${randomBytes(2).toString('hex')}`;
  const label = `com.docker.swarm.service.name=${name}`;
  const t0 = performance.now();
  await docker.createService({
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: image, Command: command }, RestartPolicy: { Condition: 'any' } },
    Mode: { Replicated: { Replicas: n } },
  });
  await until(`${n} Swarm tasks running`, 300_000, async () => (await runningContainers(label)).length === n);
  const convergeSeconds = (performance.now() - t0) / 1000;

  const [victim] = await runningContainers(label);
  await docker.getContainer(victim!.Id).kill();
  const t1 = performance.now();
  await until('a Swarm replacement running', 60_000, async () => {
    const running = await runningContainers(label);
    return running.length === n && !running.some((c) => c.Id === victim!.Id);
  });
  const replaceSeconds = (performance.now() - t1) / 1000;

  await docker.getService(name).remove();
  await until('Swarm tasks gone', 120_000, async () => (await runningContainers(label)).length === 0);
  return { convergeSeconds, replaceSeconds };
}

/** The engine's own floor: N containers created and started straight through the API, 10 at a time. */
async function engineFloor(n: number): Promise<number> {
  const t0 = performance.now();
  const ids: string[] = [];
  const todo = Array.from({ length: n }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (todo.pop() !== undefined) {
        const c = await docker.createContainer({
          Image: image,
          Cmd: command,
          Labels: { 'com.baton.bench': 'floor' },
        });
        await c.start();
        ids.push(c.id);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(ids.map((id) => docker.getContainer(id).remove({ force: true })));
  return seconds;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

engineScript('destroy');
engineScript('start');
const results: Record<
  number,
  { baton: Awaited<ReturnType<typeof baton>>; swarm: Awaited<ReturnType<typeof swarm>>; floor: number }
> = {};
try {
  for (const n of sizes) {
    const b = await baton(n);
    await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
    let s: Awaited<ReturnType<typeof swarm>>;
    try {
      s = await swarm(n);
    } finally {
      await docker.swarmLeave({ force: true });
    }
    const floor = await engineFloor(n);
    results[n] = { baton: b, swarm: s, floor };
    console.log(
      JSON.stringify({
        replicas: n,
        batonSeconds: round(b.convergeSeconds),
        swarmSeconds: round(s.convergeSeconds),
        ratio: round(b.convergeSeconds / s.convergeSeconds),
        batonReplaceSeconds: round(b.replaceSeconds),
        swarmReplaceSeconds: round(s.replaceSeconds),
        engineFloorSeconds: round(floor),
      }),
    );
  }
} finally {
  engineScript('destroy');
}
const big = results[50] ?? results[sizes[sizes.length - 1]!]!;
console.log(
  JSON.stringify({
    bench: 'converge',
    replicas: 50,
    batonSeconds: round(big.baton.convergeSeconds),
    swarmSeconds: round(big.swarm.convergeSeconds),
    ratio: round(big.baton.convergeSeconds / big.swarm.convergeSeconds),
    replaceSeconds: round(big.baton.replaceSeconds),
    swarmReplaceSeconds: round(big.swarm.replaceSeconds),
    engineFloorSeconds: round(big.floor),
    ...(results[10]
      ? {
          replicas10: {
            batonSeconds: round(results[10].baton.convergeSeconds),
            swarmSeconds: round(results[10].swarm.convergeSeconds),
            replaceSeconds: round(results[10].baton.replaceSeconds),
            engineFloorSeconds: round(results[10].floor),
          },
        }
      : {}),
    machine: machine(),
  }),
);
process.exit(0);
