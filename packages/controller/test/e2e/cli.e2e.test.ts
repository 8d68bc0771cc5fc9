import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  engine1,
  removeClusterContainers,
  requireEngine,
  runCli,
  type ServeProcess,
  spawnServe,
  testImage,
  uniqueCluster,
} from './harness.js';

const cluster = uniqueCluster('cli');
const family = `${cluster}-web`;

/** A folder of documents for `baton apply -f`. */
function folder(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cli-e2e-'));
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return dir;
}

/** The task definition as YAML: awslogs, a published port, a quick health check so deployments complete in seconds. */
const taskDefinitionYaml = (command: string) => `family: ${family}
containerDefinitions:
  - name: app
    image: ${testImage}
    memory: 32
    command: ["sh", "-c", "${command}"]
    portMappings: [{ containerPort: 8080 }]
    healthCheck: { command: ["CMD-SHELL", "true"], interval: 5, timeout: 2, retries: 1 }
    logConfiguration:
      logDriver: awslogs
      options: { awslogs-group: /${cluster}, awslogs-stream-prefix: web, awslogs-create-group: "true" }
`;
const serviceJson = (name: string) => ({
  serviceName: name,
  taskDefinition: family,
  // Two tasks, minimumHealthyPercent 100: with one task, or with 0%, this Baton's circuit breaker
  // does not trip on tasks that exit at once (reported in #17's report).
  desiredCount: 2,
  deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
});
const good = folder({
  'task-definition.yaml': taskDefinitionYaml('echo hello from cli; while true; do sleep 1; done'),
  'service.json': serviceJson('web'),
});

describe('the baton CLI against baton serve on a real engine', () => {
  let serve: ServeProcess;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli([...args, '--cluster', cluster], env, 150_000);

  beforeAll(async () => {
    await requireEngine(engine1);
    serve = await spawnServe(['--port', '0', '--cluster', cluster, '--engine', engine1], {
      ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
    });
    env = {
      BATON_ENDPOINT: serve.url,
      AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
      AWS_SECRET_ACCESS_KEY: 'cli-test-secret',
      AWS_REGION: 'us-east-1',
    };
  });
  afterAll(async () => {
    await serve?.stop();
    await removeClusterContainers(engine1, cluster);
  });

  it('serve answers /healthz, /readyz and /metrics (Prometheus text)', async () => {
    expect(await (await fetch(`${serve.url}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${serve.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await fetch(`${serve.url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text === '' || (/^# TYPE \w+ counter$/m.test(text) && text.endsWith('\n'))).toBe(true);
  });

  it('diff shows what apply would create (exit 1); apply --wait reaches steady state; a second apply and diff change nothing', async () => {
    const before = await cli('diff', '-f', good);
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toContain(`+ task definition "${family}": register revision 1`);
    expect(before.stdout).toContain(`+ service "web" (cluster ${cluster}): create`);

    const applied = await cli('apply', '-f', good, '--wait', '--timeout', '2m');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`task definition "${family}": registered ${family}:1`);
    expect(applied.stdout).toMatch(/web: PRIMARY .*running \d\/2/);
    expect(applied.stdout).toContain('web: steady (PRIMARY');

    const again = await cli('apply', '-f', good);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`task definition "${family}": unchanged`);
    expect(again.stdout).toContain(`service "web" (cluster ${cluster}): unchanged`);
    expect(again.stdout).toContain('nothing to change');
    const revisions = JSON.parse((await cli('get', 'task-definitions', family, '-o', 'json')).stdout);
    expect(revisions.taskDefinitions.map((t: { revision: number }) => t.revision)).toEqual([1]);
    const after = await cli('diff', '-f', good);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('0 to create, 0 to update, 0 to delete, 2 unchanged');
  }, 180_000);

  it('get, describe, events and logs show what runs', async () => {
    const services = await cli('get', 'services');
    expect(services.stdout.split('\n')[0]).toMatch(
      /^NAME\s+STATUS\s+DESIRED\s+RUNNING\s+PENDING\s+TASK DEFINITION/,
    );
    expect(services.stdout).toMatch(
      new RegExp(`^web\\s+ACTIVE\\s+2\\s+2\\s+0\\s+${family}:1\\s+COMPLETED`, 'm'),
    );
    const yaml = await cli('get', 'services', 'web', '-o', 'yaml');
    expect(yaml.stdout).toMatch(/^serviceName: web$/m);
    const tasks = await cli('get', 'tasks', '-o', 'wide');
    expect(tasks.stdout).toMatch(/service:web\s+RUNNING\s+RUNNING\s+HEALTHY/);
    expect(tasks.stdout).toMatch(/\d+->8080\/tcp/);

    const described = await cli('describe', 'service', 'web');
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/^Circuit breaker:\s+enabled, rolls back$/m);
    expect(described.stdout).toMatch(/ecs-svc\/\d+\s+PRIMARY\s+\S+:1\s+2\s+2\s+0\s+0\s+COMPLETED/);
    expect(described.stdout).toContain('has reached a steady state.');

    const events = await cli('events', 'web');
    expect(events.stdout).toMatch(/^\S+Z {2}\(service web\) has started 2 tasks:/m);

    const logs = await cli('logs', 'web', '-c', 'app');
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('hello from cli');
  }, 120_000);

  it('bad files: each problem named with its file and field, nothing applied (apply exits 1, diff 2)', async () => {
    const bad = folder({
      'a-service.json': serviceJson('never'),
      'b-broken.json': '{ "serviceName": ',
      'c-unknown.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
      'd-task-definition.yaml': `family: ${family}-bad\ncontainerDefinitions:\n  - name: app\n    image: busybox\n    memory: 0\n`,
    });
    const applied = await cli('apply', '-f', bad);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain(`${bad}/b-broken.json: invalid JSON:`);
    expect(applied.stderr).toContain(`${bad}/c-unknown.yaml: unknown document (fields: apiVersion, kind)`);
    expect(applied.stderr).toMatch(
      new RegExp(
        `${bad}/d-task-definition\\.yaml: task definition "${family}-bad": containerDefinitions\\[0\\]\\.memory: `,
      ),
    );
    expect(applied.stderr).toContain('nothing applied');
    const diffed = await cli('diff', '-f', bad);
    expect(diffed.code).toBe(2);
    const services = JSON.parse((await cli('get', 'services', '-o', 'json')).stdout);
    expect(services.services.map((s: { serviceName: string }) => s.serviceName)).toEqual(['web']);
    const families = await cli('get', 'task-definitions', `${family}-bad`);
    expect(families.code).toBe(1);
  }, 120_000);

  it('errors print the server’s message and exit non-zero; a bad flag exits 2', async () => {
    const missing = await cli('get', 'task-definitions', `${family}:99`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `baton get: Unable to describe task definition ${family}:99. (ClientException)\n`,
    );
    const noService = await cli('describe', 'service', 'nosuch');
    expect(noService.code).toBe(1);
    expect(noService.stderr).toContain(`service "nosuch" not found in cluster "${cluster}"`);
    const flag = await cli('get', 'services', '--colour');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^baton get: Unknown option '--colour'/);
    const help = await runCli(['--help'], env);
    for (const verb of ['serve', 'apply', 'diff', 'get', 'describe', 'events', 'logs'])
      expect(help.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
  }, 60_000);

  it('apply --wait exits 1 when the deployment fails and the circuit breaker rolls back', async () => {
    const broken = folder({
      'task-definition.yaml': taskDefinitionYaml('echo broken; exit 3'),
      'service.json': serviceJson('web'),
    });
    const r = await cli('apply', '-f', broken, '--wait', '--timeout', '2m');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`task definition "${family}": registered ${family}:2`);
    expect(r.stdout).toMatch(/exit code 3/);
    expect(r.stdout).toMatch(
      new RegExp(`web: FAILED: deployment \\S+ failed: .*; rolled back to ${family}:1`),
    );
  }, 180_000);

  it('--prune deletes services the folder no longer declares, and only with the flag', async () => {
    const other = folder({
      'task-definition.yaml': taskDefinitionYaml('echo hello from cli; while true; do sleep 1; done'),
      'service.json': serviceJson('other'),
    });
    const kept = await cli('apply', '-f', other);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(`service "other" (cluster ${cluster}): created (${family}:3)`);
    const names = async () =>
      (JSON.parse((await cli('get', 'services', '-o', 'json')).stdout).services as { serviceName: string }[])
        .map((s) => s.serviceName)
        .sort();
    expect(await names()).toEqual(['other', 'web']);
    const plan = await cli('diff', '-f', other, '--prune');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain(`- service "web" (cluster ${cluster}): delete (--prune)`);
    const pruned = await cli('apply', '-f', other, '--prune');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(`service "web" (cluster ${cluster}): deleted`);
    expect(await names()).toEqual(['other']);
  }, 120_000);

  it('applies Application Auto Scaling in its AWS shapes: created, then unchanged, shown by describe', async () => {
    const resource = {
      ServiceNamespace: 'ecs',
      ResourceId: `service/${cluster}/other`,
      ScalableDimension: 'ecs:service:DesiredCount',
    };
    const scaling = folder({
      'scaling.yaml': [
        JSON.stringify({ ...resource, MinCapacity: 2, MaxCapacity: 4 }),
        JSON.stringify({
          ...resource,
          PolicyName: 'cpu50',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 50,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          },
        }),
      ].join('\n---\n'),
    });
    const created = await cli('apply', '-f', scaling);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`scalable target "service/${cluster}/other": created`);
    expect(created.stdout).toContain(`scaling policy "cpu50" (service/${cluster}/other): created`);
    const again = await cli('diff', '-f', scaling);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const described = await cli('describe', 'service', 'other');
    expect(described.stdout).toMatch(
      /^Scaling:\n {2}capacity 2–4\n {2}policy cpu50 \(TargetTrackingScaling: ECSServiceAverageCPUUtilization at 50\)/m,
    );
  }, 120_000);
});
