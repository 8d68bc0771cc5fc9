// npm run bench -- api: DescribeServices (10 a call) and ListTasks through @aws-sdk/client-ecs against
// baton.apiHandler() on node:http, at 1,000 services and 10,000 tasks; and ELBv2's query protocol (XML)
// through @aws-sdk/client-elastic-load-balancing-v2: DescribeTargetGroups (one of 100, by name) and
// DescribeListeners (a load balancer's 5). The load average is reported at the start and the end. The Baton has no engines: the
// services sit at desiredCount 0 in a cluster with no instances, and the 10,000 tasks are RUNNING
// records written to its store (10 per service, in the services' groups) — the API reads them as it
// reads any task. moto (the comparison the issue asks for): when `moto_server` is on PATH (it cannot be
// installed by the project: PyPI is unreachable and Debian has no python3-moto), the same client runs
// DescribeServices against it at the same 1,000 services; moto's ListTasks needs tasks that moto only
// starts on registered EC2 container instances, so it is not compared. Without it motoRps is null with
// the reason.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { loadavg } from 'node:os';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { arns, defaultArnContext, type Task } from '@baton-ecs/model';
import { createBaton, silentLogger } from 'baton-ecs';
import { machine } from './_machine.js';

const SERVICES = 1_000;
const TASKS_PER_SERVICE = 10;
const CALLS = Number(process.argv[2] ?? 2_000);
const key = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
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

const elb = new ElasticLoadBalancingV2Client({ endpoint, region: 'us-east-1', credentials: key });
let groupArn = '';
for (let i = 0; i < 100; i++)
  groupArn = (
    await elb.send(new CreateTargetGroupCommand({ Name: `bench-${i}`, Protocol: 'HTTP', Port: 80 }))
  ).TargetGroups![0]!.TargetGroupArn!;
const lbArn = (await elb.send(new CreateLoadBalancerCommand({ Name: 'bench' }))).LoadBalancers![0]!
  .LoadBalancerArn!;
for (let i = 0; i < 5; i++) {
  // A port the kernel just handed out and took back: free for the listener to bind.
  const probe = createNetServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: groupArn }],
    }),
  );
}
const describeGroups = await measure('DescribeTargetGroups (one of 100, by name)', (i) =>
  elb.send(new DescribeTargetGroupsCommand({ Names: [`bench-${i % 100}`] })),
);
const describeListeners = await measure('DescribeListeners (5)', () =>
  elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn })),
);
server.close();
await baton.stop();

/** The same DescribeServices calls against moto's server, at the same 1,000 services. */
async function againstMoto(): Promise<{
  describeServices?: Awaited<ReturnType<typeof measure>>;
  unavailable?: string;
}> {
  if (spawnSync('moto_server', ['--help']).status !== 0)
    return {
      unavailable: 'moto cannot be installed here: PyPI is unreachable and Debian has no python3-moto',
    };
  const probe = createNetServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${url}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 300) return { unavailable: 'moto_server did not start within 30 s' };
      await new Promise((r) => setTimeout(r, 100));
    }
    const client = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: key });
    await client.send(new CreateClusterCommand({ clusterName: 'bench' }));
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'bench',
        containerDefinitions: [{ name: 'a', image: 'busybox', memory: 16 }],
      }),
    );
    for (let i = 0; i < SERVICES; i++)
      await client.send(
        new CreateServiceCommand({
          cluster: 'bench',
          serviceName: `s${i}`,
          taskDefinition: 'bench',
          desiredCount: 0,
        }),
      );
    const describeServices = await measure('moto DescribeServices (10 services)', (i) =>
      client.send(
        new DescribeServicesCommand({
          cluster: 'bench',
          services: Array.from({ length: 10 }, (_, j) => `s${(i * 10 + j) % SERVICES}`),
        }),
      ),
    );
    return { describeServices };
  } finally {
    moto.kill('SIGTERM');
  }
}
const moto = await againstMoto();
console.log(
  JSON.stringify({
    machine: machine(),
    services: SERVICES,
    tasks: SERVICES * TASKS_PER_SERVICE,
    describeServices: describe,
    listTasks: list,
    describeTargetGroups: describeGroups,
    describeListeners,
    loadAverage: { start: loadAtStart, end: loadavg().map((l) => Math.round(l * 100) / 100) },
    batonRps: Math.round((describe.rps + list.rps) / 2),
    batonP99Ms: Math.max(describe.p99Ms, list.p99Ms),
    motoRps: moto.describeServices?.rps ?? null,
    ...(moto.describeServices
      ? {
          motoDescribeServices: moto.describeServices,
          describeServicesVsMoto: Math.round((describe.rps / moto.describeServices.rps) * 10) / 10,
        }
      : { motoUnavailable: moto.unavailable }),
  }),
);
process.exit(0);
