// npm run bench -- api: DescribeServices (10 a call) and ListTasks through @aws-sdk/client-ecs against
// baton.apiHandler() on node:http, at 1,000 services and 10,000 tasks. The Baton has no engines: the
// services sit at desiredCount 0 in a cluster with no instances, and the 10,000 tasks are RUNNING
// records written to its store (10 per service, in the services' groups) — the API reads them as it
// reads any task. moto (the comparison the issue asks for) cannot be installed here (no PyPI, no
// Debian package), so motoRps is null with the reason.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { arns, defaultArnContext, type Task } from '@baton-ecs/model';
import { createBaton, silentLogger } from 'baton-ecs';
import { machine } from './_machine.js';

const SERVICES = 1_000;
const TASKS_PER_SERVICE = 10;
const CALLS = Number(process.argv[2] ?? 2_000);
const key = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

const baton = await createBaton({ seed: 1, logger: silentLogger, cluster: 'bench' });
await baton.start();
const { taskDefinition } = await baton.registerTaskDefinition({
  family: 'bench',
  containerDefinitions: [{ name: 'a', image: 'busybox', memory: 16 }],
});
for (let i = 0; i < SERVICES; i++)
  await baton.createService({
    cluster: 'bench',
    serviceName: `s${i}`,
    taskDefinition: 'bench',
    desiredCount: 0,
  });
const tasks: Task[] = [];
for (let i = 0; i < SERVICES * TASKS_PER_SERVICE; i++)
  tasks.push({
    taskArn: arns.task('bench', `t${String(i).padStart(8, '0')}`, defaultArnContext),
    clusterArn: arns.cluster('bench', defaultArnContext),
    taskDefinitionArn: taskDefinition.taskDefinitionArn!,
    group: `service:s${Math.floor(i / TASKS_PER_SERVICE)}`,
    launchType: 'EC2',
    overrides: { containerOverrides: [] },
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    containers: [],
    tags: [],
  } as Task);
for (let i = 0; i < tasks.length; i += 1000)
  await baton.store.commit(
    tasks.slice(i, i + 1000).map((object) => ({ op: 'create' as const, kind: 'Task' as const, object })),
  );
await new Promise((r) => setTimeout(r, 500)); // informers catch up

const server = createServer(baton.apiHandler({ credentials: [key], logger: silentLogger }));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const ecs = new ECSClient({ endpoint, region: 'us-east-1', credentials: key });

async function measure(name: string, call: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await call(i); // warm-up
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await call(i);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 100) / 100;
  const r = { name, calls: CALLS, rps: Math.round(CALLS / seconds), p50Ms: q(0.5), p99Ms: q(0.99) };
  console.log(JSON.stringify(r));
  return r;
}

const describe = await measure('DescribeServices (10 services)', (i) =>
  ecs.send(
    new DescribeServicesCommand({
      cluster: 'bench',
      services: Array.from({ length: 10 }, (_, j) => `s${(i * 10 + j) % SERVICES}`),
    }),
  ),
);
const list = await measure('ListTasks (one service)', (i) =>
  ecs.send(new ListTasksCommand({ cluster: 'bench', serviceName: `s${i % SERVICES}` })),
);
server.close();
await baton.stop();
console.log(
  JSON.stringify({
    machine: machine(),
    services: SERVICES,
    tasks: SERVICES * TASKS_PER_SERVICE,
    describeServices: describe,
    listTasks: list,
    batonRps: Math.round((describe.rps + list.rps) / 2),
    batonP99Ms: Math.max(describe.p99Ms, list.p99Ms),
    motoRps: null,
    motoUnavailable: 'moto cannot be installed here: PyPI is unreachable and Debian has no python3-moto',
  }),
);
process.exit(0);
