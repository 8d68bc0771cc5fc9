/**
 * npm run bench -- lb [seconds]
 * Three busybox httpd tasks on Baton's engines 1 and 2 behind one target group; `wrk` (Debian) for a
 * fixed duration against (a) Baton's embedded load balancer and (b) an nginx of its own configured by
 * the adapter, then against each again while the service rolls to a new revision. Reports
 * requests/s, p99 latency and errors for each. Last line: one JSON object.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NginxProcess } from '@baton-ecs/load-balancer';
import type { TargetGroup } from '@baton-ecs/model';
import { type Baton, createBaton, silentLogger } from 'baton-ecs';
import Docker from 'dockerode';
import { machine } from './_machine.js';

const run = promisify(execFile);
const seconds = Number(process.argv[2] ?? 10);
const image = process.env.BATON_TEST_IMAGE ?? 'baton-test/busybox:1';
const engines = [
  {
    endpoint: process.env.BATON_DOCKER_HOST ?? 'unix:///var/run/baton/docker.sock',
    instanceId: 'lb-bench-1',
  },
  {
    endpoint: process.env.BATON_DOCKER_HOST_2 ?? 'unix:///var/run/baton/docker-2.sock',
    instanceId: 'lb-bench-2',
  },
];

interface WrkResult {
  readonly breakdown: string;
  readonly rps: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
}

/**
 * wrk -t2 -c32 for `s` seconds, a request taking up to 10 s counting as answered (the targets' accept
 * queue, busybox httpd behind docker-proxy, drops SYNs under load: 1 s and 3 s retransmits);
 * errors = socket errors + non-2xx/3xx responses.
 */
async function wrk(port: number, s: number): Promise<WrkResult> {
  const { stdout } = await run(
    'wrk',
    ['-t2', '-c32', `-d${s}s`, '--timeout', '10s', '--latency', `http://127.0.0.1:${port}/page`],
    {
      maxBuffer: 1 << 20,
    },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(stdout);
  const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : Number.NaN;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return {
    breakdown: `socket ${socket ? socket.slice(1).join('/') : '0/0/0/0'} (connect/read/write/timeout), non-2xx ${non2xx}`,
    rps: Math.round(rps),
    p99Ms: Math.round(p99Ms * 100) / 100,
    requests,
    errors: socketErrors + non2xx,
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function until(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const taskDefinition = (page: string) => ({
  family: 'web',
  containerDefinitions: [
    {
      name: 'httpd',
      image,
      memory: 32,
      command: [
        'sh',
        '-c',
        `echo ok > /www/health && echo ${page} > /www/page && exec httpd -f -p 8080 -h /www`,
      ],
      portMappings: [{ containerPort: 8080 }],
      stopTimeout: 2,
    },
  ],
});

async function healthy(b: Baton, arn: string, cluster: string): Promise<void> {
  await until('3 healthy targets', 60_000, async () => {
    const d = (await b.elbv2.describeTargetHealth({ TargetGroupArn: arn })).TargetHealthDescriptions;
    const [s] = (await b.describeServices({ cluster, services: ['web'] })).services;
    return (
      d.length === 3 &&
      d.every((t) => t.TargetHealth.State === 'healthy') &&
      s?.deployments.every((x) => x.status !== 'ACTIVE' && x.rolloutState !== 'IN_PROGRESS') === true
    );
  });
}

/** wrk for `s` seconds while the service rolls to `revision` (started 1 s in). */
async function rolloutUnderLoad(
  b: Baton,
  cluster: string,
  arn: string,
  port: number,
  page: string,
  s: number,
) {
  const load = wrk(port, s);
  await new Promise((r) => setTimeout(r, 1_000));
  const started = Date.now();
  const td = await b.registerTaskDefinition(taskDefinition(page));
  await b.updateService({ cluster, service: 'web', taskDefinition: td.taskDefinition.taskDefinitionArn! });
  await healthy(b, arn, cluster);
  const rolloutSeconds = (Date.now() - started) / 1000;
  return { ...(await load), rolloutSeconds };
}

async function main(): Promise<void> {
  const cluster = `lb-bench-${randomBytes(2).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'baton-lb-bench-'));
  const b = await createBaton({
    cluster,
    seed: 1,
    logger: silentLogger,
    resyncMs: 2_000,
    engines,
    agent: { heartbeatIntervalMs: 1_000, settings: { imagePullBehavior: 'prefer-cached' } },
  });
  await b.start();
  let nginx: NginxProcess | undefined;
  try {
    const [tg] = (
      await b.elbv2.createTargetGroup({
        Name: cluster,
        Port: 8080,
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 1,
        HealthCheckTimeoutSeconds: 1,
        HealthyThresholdCount: 2,
        Attributes: [
          { Key: 'baton.health_check.short_timings', Value: 'true' },
          { Key: 'deregistration_delay.timeout_seconds', Value: '3' },
        ],
      })
    ).TargetGroups as [TargetGroup];
    const arn = tg.TargetGroupArn!;
    await b.registerTaskDefinition(taskDefinition('v1'));
    await b.createService({
      cluster,
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 3,
      loadBalancers: [{ targetGroupArn: arn, containerName: 'httpd', containerPort: 8080 }],
    });
    await healthy(b, arn, cluster);
    const listener = await b.elbv2.openListener({ TargetGroupArn: arn });
    nginx = await NginxProcess.start({ dir, port: await freePort(), upstreamName: 'baton_web' });
    const n = nginx;
    const adapter = await b.elbv2.attachNginx({
      TargetGroupArn: arn,
      upstreamFile: n.upstreamFile,
      upstreamName: 'baton_web',
      reload: () => n.reload(),
    });

    const embedded = await wrk(listener.port, seconds);
    const viaNginx = await wrk(n.options.port, seconds);
    const rolloutEmbedded = await rolloutUnderLoad(
      b,
      cluster,
      arn,
      listener.port,
      'v2',
      Math.max(seconds, 20),
    );
    await adapter.settled();
    const rolloutNginx = await rolloutUnderLoad(b, cluster, arn, n.options.port, 'v3', Math.max(seconds, 20));
    adapter.stop();
    await listener.close();

    const table = [
      ['', 'requests/s', 'p99 ms', 'errors'],
      ['embedded', embedded.rps, embedded.p99Ms, embedded.errors],
      ['nginx', viaNginx.rps, viaNginx.p99Ms, viaNginx.errors],
      ['embedded, during a rollout', rolloutEmbedded.rps, rolloutEmbedded.p99Ms, rolloutEmbedded.errors],
      ['nginx, during a rollout', rolloutNginx.rps, rolloutNginx.p99Ms, rolloutNginx.errors],
    ];
    for (const row of table) console.log(row.map((c) => String(c).padEnd(28)).join(''));
    console.log(
      JSON.stringify({
        bench: 'lb',
        seconds,
        embeddedRps: embedded.rps,
        embeddedP99Ms: embedded.p99Ms,
        embeddedErrors: embedded.errors,
        nginxRps: viaNginx.rps,
        nginxP99Ms: viaNginx.p99Ms,
        nginxErrors: viaNginx.errors,
        ratio: Math.round((embedded.rps / Math.max(1, viaNginx.rps)) * 100) / 100,
        errorsDuringRollout: rolloutEmbedded.errors,
        errorsDuringRolloutDetail: rolloutEmbedded.breakdown,
        requestsDuringRollout: rolloutEmbedded.requests,
        rolloutSeconds: rolloutEmbedded.rolloutSeconds,
        nginxErrorsDuringRollout: rolloutNginx.errors,
        nginxErrorsDuringRolloutDetail: rolloutNginx.breakdown,
        nginxRequestsDuringRollout: rolloutNginx.requests,
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        machine: machine(),
      }),
    );
  } finally {
    await nginx?.stop();
    await b.stop();
    for (const e of engines) {
      const docker = new Docker({ socketPath: e.endpoint.replace(/^unix:\/\//, ''), timeout: 30_000 });
      const cs = await docker.listContainers({
        all: true,
        filters: { label: [`com.baton.cluster=${cluster}`] },
      });
      await Promise.all(cs.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
