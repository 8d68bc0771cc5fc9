import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NginxProcess } from '@baton-ecs/load-balancer';
import type { TargetGroup } from '@baton-ecs/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton, TaskStateChange } from '../../src/index.js';
import {
  docker,
  engine1,
  engine2,
  liveTasks,
  removeClusterContainers,
  requireEngine,
  testBaton,
  testImage,
  uniqueCluster,
  waitFor,
} from '../e2e/harness.js';
import { freePort } from '../endpoint/helpers.js';

const cluster = uniqueCluster('lb');
let baton: Baton;
let tg: TargetGroup;
const tgArn = () => tg.TargetGroupArn!;

/** busybox httpd serving /www, with /www/health for the target group's checks (a test deletes it to fail them). */
const webTaskDefinition = (page: string) => ({
  family: 'web',
  containerDefinitions: [
    {
      name: 'httpd',
      image: testImage,
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

beforeAll(async () => {
  await requireEngine(engine1);
  await requireEngine(engine2);
  baton = await testBaton({
    cluster,
    engines: [
      { endpoint: engine1, instanceId: 'lb-1', attributes: { 'ecs.availability-zone': 'a' } },
      { endpoint: engine2, instanceId: 'lb-2', attributes: { 'ecs.availability-zone': 'b' } },
    ],
  });
  [tg] = (
    await baton.elbv2.createTargetGroup({
      Name: cluster,
      Protocol: 'HTTP',
      Port: 8080,
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 1,
      HealthCheckTimeoutSeconds: 1,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Attributes: [
        { Key: 'baton.health_check.short_timings', Value: 'true' },
        { Key: 'deregistration_delay.timeout_seconds', Value: '2' },
      ],
    })
  ).TargetGroups as [TargetGroup];
});

afterAll(async () => {
  await baton?.stop();
  for (const endpoint of [engine1, engine2]) await removeClusterContainers(endpoint, cluster);
});

const healthyTargets = (n: number) =>
  waitFor(`${n} healthy targets and ${n} RUNNING tasks`, 45_000, async () => {
    const { TargetHealthDescriptions: d } = await baton.elbv2.describeTargetHealth({
      TargetGroupArn: tgArn(),
    });
    const tasks = await liveTasks(baton, cluster, 'web');
    return d.length === n &&
      d.every((x) => x.TargetHealth.State === 'healthy') &&
      tasks.length === n &&
      tasks.every((t) => t.lastStatus === 'RUNNING')
      ? d
      : undefined;
  });

const rolledOut = (revision: number) =>
  waitFor(`the rollout to revision ${revision}`, 60_000, async () => {
    const [s] = (await baton.describeServices({ cluster, services: ['web'] })).services;
    const primary = s?.deployments.find((d) => d.status === 'PRIMARY');
    return (
      primary?.taskDefinition.endsWith(`:${revision}`) &&
      primary.rolloutState === 'COMPLETED' &&
      s!.deployments.every((d) => d.status !== 'ACTIVE')
    );
  });

function get(port: number, path = '/page', keepAlive = true): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, timeout: 5_000, ...(keepAlive ? {} : { agent: false }) },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
        res.on('error', (e) => resolve({ status: 0, body: String(e) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.end();
  });
}

type Answer = { status: number; body: string };

/**
 * A bounded load: `workers` clients sending requests back to back until told to stop (at most `max` in
 * all). `answered(n, test)` resolves once `n` more answers that pass `test` have come back.
 */
function load(port: number, { workers = 4, max = 20_000, keepAlive = true } = {}) {
  let running = true;
  const results: Answer[] = [];
  const waiters = new Set<{ test: (a: Answer) => boolean; left: number; resolve: () => void }>();
  const done = Promise.all(
    Array.from({ length: workers }, async () => {
      while (running && results.length < max) {
        const answer = await get(port, '/page', keepAlive);
        results.push(answer);
        for (const w of waiters)
          if (w.test(answer) && --w.left === 0) {
            waiters.delete(w);
            w.resolve();
          }
      }
    }),
  );
  return {
    results,
    answered: (count: number, test: (a: Answer) => boolean = () => true) =>
      new Promise<void>((resolve) => waiters.add({ test, left: count, resolve })),
    stop: async () => {
      running = false;
      await done;
      return results;
    },
  };
}

describe('a web service behind a target group (real engines)', { timeout: 120_000 }, () => {
  it('registers 3 tasks while ACTIVATING; all three targets turn healthy', async () => {
    const activating: string[] = [];
    const sub = baton.taskStateChanges$.subscribe((c: TaskStateChange) => {
      if (c.lastStatus === 'ACTIVATING') activating.push(c.taskArn);
    });
    await baton.registerTaskDefinition(webTaskDefinition('v1'));
    await baton.createService({
      cluster,
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 3,
      loadBalancers: [{ targetGroupArn: tgArn(), containerName: 'httpd', containerPort: 8080 }],
    });
    const targets = await healthyTargets(3);
    sub.unsubscribe();
    const tasks = await liveTasks(baton, cluster, 'web');
    expect(new Set(activating)).toEqual(new Set(tasks.map((t) => t.taskArn)));
    expect(targets.map((t) => t.Target.Id)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(new Set(targets.map((t) => t.TaskArn))).toEqual(new Set(tasks.map((t) => t.taskArn)));
    // Each target is the task's published host port, answering the check itself.
    for (const t of targets) expect((await get(t.Target.Port, '/health')).status).toBe(200);
    expect(tasks.every((t) => t.deactivationHolds?.includes(tgArn()) && !t.activationHolds?.length)).toBe(
      true,
    );
  });

  it('stopping a task drains its target for the deregistration delay before SIGTERM', async () => {
    const [victim] = await liveTasks(baton, cluster, 'web');
    const seen = new Map<string, number>();
    const sub = baton.taskStateChanges$.subscribe((c) => {
      if (c.taskArn === victim!.taskArn) seen.set(c.lastStatus, Date.now());
    });
    await baton.stopTask({ cluster, task: victim!.taskArn, reason: 'test' });
    await waitFor('the target to drain', 10_000, async () => {
      const { TargetHealthDescriptions: d } = await baton.elbv2.describeTargetHealth({
        TargetGroupArn: tgArn(),
      });
      return d.find((x) => x.TaskArn === victim!.taskArn)?.TargetHealth.State === 'draining';
    });
    await waitFor('the task to stop', 20_000, () => seen.has('STOPPED'));
    sub.unsubscribe();
    const deactivating = seen.get('DEACTIVATING')!;
    const stopping = seen.get('STOPPING')!;
    expect(stopping - deactivating).toBeGreaterThanOrEqual(1_900);
    await healthyTargets(3);
  });

  it('a task whose health path starts failing: target unhealthy, task replaced, ECS event', async () => {
    const [victim] = await liveTasks(baton, cluster, 'web');
    const id = victim!.taskArn.split('/').pop()!;
    const endpoint = victim!.containerInstanceArn!.endsWith('lb-1') ? engine1 : engine2;
    const exec = await docker(endpoint)
      .getContainer(victim!.containers[0]!.runtimeId!)
      .exec({ Cmd: ['rm', '/www/health'] });
    await exec.start({});
    await waitFor('the target to turn unhealthy', 15_000, async () => {
      const { TargetHealthDescriptions: d } = await baton.elbv2.describeTargetHealth({
        TargetGroupArn: tgArn(),
      });
      const t = d.find((x) => x.TaskArn === victim!.taskArn);
      return t?.TargetHealth.State === 'unhealthy' || t?.TargetHealth.State === 'draining' || !t;
    });
    await waitFor('the task to be replaced', 30_000, async () => {
      const tasks = await liveTasks(baton, cluster, 'web');
      return tasks.length === 3 && tasks.every((t) => t.taskArn !== victim!.taskArn);
    });
    const [service] = (await baton.describeServices({ cluster, services: ['web'] })).services;
    // ECS's sentence (instance, port, target group name, ELB's reason); the task in Baton's detail.
    const unhealthy = new RegExp(
      `^\\(service web\\) \\(instance [^)]+\\) \\(port \\d+\\) is unhealthy in target-group ${cluster} due to \\(reason Health checks failed[^)]*\\)\\.$`,
    );
    const event = service!.events.find((e) => unhealthy.test(e.message));
    expect(event, service!.events.map((e) => e.message).join('\n')).toBeDefined();
    expect(event!.detail).toBe(`task ${id}`);
    const [stopped] = (await baton.describeTasks({ cluster, tasks: [victim!.taskArn] })).tasks;
    expect(stopped!.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${tgArn()})`);
    await healthyTargets(3);
  });

  it('zero failed requests through the embedded load balancer while the service rolls to a new revision', async () => {
    const listener = await baton.elbv2.openListener({ TargetGroupArn: tgArn() });
    try {
      const l = load(listener.port);
      await l.answered(50, (a) => a.body === 'v1'); // the load is under way before the rollout
      await baton.registerTaskDefinition(webTaskDefinition('v2'));
      await baton.updateService({ cluster, service: 'web', taskDefinition: 'web:2' });
      await rolledOut(2);
      await healthyTargets(3);
      await l.answered(50); // and goes on after it
      const results = await l.stop();
      const bodies = results.map((r) => r.body);
      expect(results.length).toBeGreaterThan(100);
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(bodies).toContain('v1');
      expect(bodies.at(-1)).toBe('v2');
      expect(listener.stats().errors).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('zero failed requests through nginx (the adapter) while the service rolls again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-lb-nginx-'));
    const port = await freePort();
    const nginx = await NginxProcess.start({ dir, port, upstreamName: 'baton_web' });
    const adapter = await baton.elbv2.attachNginx({
      TargetGroupArn: tgArn(),
      upstreamFile: nginx.upstreamFile,
      upstreamName: 'baton_web',
      reload: () => nginx.reload(),
    });
    try {
      expect((await get(port)).body).toBe('v2');
      // A graceful reload closes nginx's idle client connections; a client reusing one at that instant
      // sees it closed (browsers retry such requests). One connection per request keeps that race out.
      const l = load(port, { keepAlive: false });
      await l.answered(50, (a) => a.body === 'v2'); // the load is under way before the rollout
      await baton.registerTaskDefinition(webTaskDefinition('v3'));
      await baton.updateService({ cluster, service: 'web', taskDefinition: 'web:3' });
      await rolledOut(3);
      await healthyTargets(3);
      await adapter.settled();
      await l.answered(50); // and goes on after nginx's last reload
      const results = await l.stop();
      expect(results.length).toBeGreaterThan(100);
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(results.at(-1)?.body).toBe('v3');
      expect(adapter.reloads).toBeGreaterThanOrEqual(2);
    } finally {
      adapter.stop();
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
