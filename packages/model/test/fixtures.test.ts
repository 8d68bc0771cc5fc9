import { describe, expect, it } from 'vitest';
import {
  deploymentLimits,
  parseService,
  parseTaskDefinition,
  taskCpuUnits,
  taskMemoryMiB,
} from '../src/index.js';
import { fixture, ok } from './helpers.js';

describe('ECS task definitions parse unchanged', () => {
  it('describe-task-definition output (envelope, output-only fields, ISO timestamps)', () => {
    const { value, warnings } = ok(parseTaskDefinition(fixture('task-definitions/web-nginx.describe.json')));
    expect(value.family).toBe('web-nginx');
    expect(value.revision).toBe(7);
    expect(value.registeredAt).toBe(Date.parse('2024-05-14T09:21:33.512Z'));
    const nginx = value.containerDefinitions[0]!;
    expect(nginx.portMappings[0]).toMatchObject({ containerPort: 80, hostPort: 0, protocol: 'tcp' });
    expect(nginx.healthCheck).toEqual({
      command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
      interval: 15,
      timeout: 5,
      retries: 3,
      startPeriod: 10,
    });
    // AWS-only fields are kept, and listed; output-only fields are kept silently.
    expect((value as Record<string, unknown>).executionRoleArn).toBe(
      'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    );
    expect(warnings.map((w) => w.path)).toEqual(
      expect.arrayContaining(['executionRoleArn', 'requiresCompatibilities']),
    );
    // Volumes and mount points are carried out (docs/workloads.md), so not warned.
    expect(warnings.map((w) => w.path)).not.toContain('volumes');
    expect(warnings.map((w) => w.path)).not.toContain('containerDefinitions[0].mountPoints');
    expect(warnings.map((w) => w.path)).not.toContain('requiresAttributes');
    // Log configuration is carried out (docs/logs.md), so it is not warned about.
    expect(warnings.map((w) => w.path)).not.toContain('containerDefinitions[0].logConfiguration');
    expect(warnings.find((w) => w.path === 'executionRoleArn')?.reason).toBe('aws-only');
  });

  it('multi-container with dependsOn, health checks and dynamic ports', () => {
    const { value, warnings } = ok(parseTaskDefinition(fixture('task-definitions/app-with-sidecars.json')));
    const app = value.containerDefinitions.find((c) => c.name === 'app')!;
    expect(app.dependsOn).toEqual([
      { containerName: 'migrate', condition: 'SUCCESS' },
      { containerName: 'envoy', condition: 'HEALTHY' },
    ]);
    expect(app.healthCheck).toEqual({
      command: ['CMD', '/app/healthcheck'],
      interval: 10,
      timeout: 5,
      retries: 5,
    });
    expect(app.stopTimeout).toBe(45);
    expect(value.containerDefinitions[0]!.essential).toBe(false);
    expect(value.containerDefinitions[1]!.portMappings.map((p) => p.hostPort)).toEqual([undefined, 0]);
    expect(taskMemoryMiB(value)).toBe(128 + 128 + 512);
    expect(taskCpuUnits(value)).toBe(512);
    expect(warnings.map((w) => w.path)).toEqual(expect.arrayContaining(['taskRoleArn']));
    // Secrets are understood (resolved at container create), so they are no longer a warning.
    expect(warnings.map((w) => w.path)).not.toContain('containerDefinitions[2].secrets');
    expect(value.containerDefinitions[2]!.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-db' },
    ]);
  });

  it('Fargate (awsvpc) task definition with task-level cpu and memory', () => {
    const { value, warnings } = ok(parseTaskDefinition(fixture('task-definitions/fargate-api.json')));
    expect(value.networkMode).toBe('awsvpc');
    expect(value.cpu).toBe('256');
    expect(value.memory).toBe('512');
    expect(value.runtimePlatform?.cpuArchitecture).toBe('ARM64');
    expect(warnings.map((w) => w.path)).toEqual(
      expect.arrayContaining(['ephemeralStorage', 'requiresCompatibilities']),
    );
  });

  it('memberOf constraint, restart policy, ulimits and labels', () => {
    const { value } = ok(parseTaskDefinition(fixture('task-definitions/gpu-worker.json')));
    expect(value.placementConstraints[0]!.type).toBe('memberOf');
    expect(value.containerDefinitions[0]!.restartPolicy).toEqual({
      enabled: true,
      ignoredExitCodes: [0, 143],
      restartAttemptPeriod: 120,
    });
    expect(value.networkMode).toBe('bridge');
  });

  it('host network mode daemon with an implicit host port', () => {
    const { value, warnings } = ok(
      parseTaskDefinition(fixture('task-definitions/node-exporter-daemon.json')),
    );
    expect(value.networkMode).toBe('host');
    expect(value.containerDefinitions[0]!.portMappings[0]!.hostPort).toBeUndefined();
    expect(value.volumes?.[0]?.host?.sourcePath).toBeDefined();
    expect(warnings.find((w) => w.path === 'volumes')).toBeUndefined();
  });

  it('batch job: vCPU and GB units, none network mode, COMPLETE on a non-essential container', () => {
    const { value } = ok(parseTaskDefinition(fixture('task-definitions/batch-job.json')));
    expect(value.cpu).toBe('1024');
    expect(value.memory).toBe('2048');
    expect(taskMemoryMiB(value)).toBe(2048);
    expect(value.containerDefinitions[1]!.entryPoint).toEqual(['python', '-m']);
  });

  it('accepts the JSON text as well as the object', () => {
    const text = JSON.stringify(fixture('task-definitions/gpu-worker.json'));
    expect(ok(parseTaskDefinition(text)).value.family).toBe('render-worker');
  });
});

describe('ECS services parse unchanged', () => {
  it('create-service input: load balancer, breaker, strategies, distinctInstance', () => {
    const { value, warnings } = ok(parseService(fixture('services/web.create.json')));
    expect(value.cluster).toBe('prod');
    expect(value.desiredCount).toBe(4);
    expect(value.deploymentConfiguration).toMatchObject({
      maximumPercent: 150,
      minimumHealthyPercent: 50,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    expect(value.placementStrategy.map((s) => s.type)).toEqual(['spread', 'binpack']);
    expect(value.status).toBe('ACTIVE');
    expect(value.deployments).toEqual([]);
    expect(warnings.map((w) => w.path)).toContain('enableECSManagedTags');
  });

  it('describe-services output: deployments, events and timestamps', () => {
    const { value, warnings } = ok(parseService(fixture('services/orders.describe.json')));
    expect(value.serviceName).toBe('orders-api');
    expect(value.cluster).toBe('prod');
    expect(value.clusterArn).toBe('arn:aws:ecs:us-east-1:123456789012:cluster/prod');
    expect(value.deployments[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 3,
    });
    expect(value.events).toHaveLength(2);
    expect(value.events[0]!.createdAt).toBe(Date.parse('2024-06-02T11:07:49.882Z'));
    expect(warnings.map((w) => w.path)).toEqual(
      expect.arrayContaining(['deploymentConfiguration.alarms', 'roleArn']),
    );
    // An empty list asks for nothing: ignoring it changes nothing, so it is not warned.
    expect(warnings.map((w) => w.path)).not.toContain('serviceRegistries');
  });

  it('DAEMON service gets DAEMON deployment defaults', () => {
    const { value } = ok(parseService(fixture('services/node-exporter.daemon.json')));
    expect(value.schedulingStrategy).toBe('DAEMON');
    expect(deploymentLimits(value)).toEqual({ minimumHealthyPercent: 0, maximumPercent: 100 });
    const { value: bare } = ok(
      parseService({ serviceName: 'd', taskDefinition: 'd', schedulingStrategy: 'DAEMON' }),
    );
    expect(bare.deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 0, maximumPercent: 100 });
  });

  it('REPLICA defaults are 100 / 200 and the cluster defaults to "default"', () => {
    const { value } = ok(parseService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }));
    expect(value.cluster).toBe('default');
    expect(value.deploymentConfiguration).toMatchObject({
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    });
  });
});
