import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProcess, serveRefusal, spawnServe } from './harness.js';

const key = { accessKeyId: 'AKIDSERVE0000000001', secretAccessKey: 'serve-secret-never-logged' };

describe('baton serve (spawned process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-api-serve-'));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ engines: [], credentials: [key], region: 'eu-west-1', accountId: '123456789012' }),
  );
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await spawnServe([
      '--port',
      '0',
      '--config',
      config,
      '--cluster',
      'api-serve',
      '--log-format',
      'json',
    ]);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('prints one line when listening and answers the SDK with the configured key, region and account', async () => {
    expect(serve.stdout()).toMatch(/^Baton listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const ecs = new ECSClient({ endpoint: serve.url, region: 'eu-west-1', credentials: key, maxAttempts: 1 });
    const c = await ecs.send(new CreateClusterCommand({ clusterName: 'api-serve-extra' }));
    expect(c.cluster?.clusterArn).toBe('arn:aws:ecs:eu-west-1:123456789012:cluster/api-serve-extra');
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api-serve',
        containerDefinitions: [{ name: 'a', image: 'busybox', memory: 16 }],
      }),
    );
    expect(td.taskDefinition?.revision).toBe(1);
    const listed = await ecs.send(new ListClustersCommand({}));
    expect(listed.clusterArns).toContain('arn:aws:ecs:eu-west-1:123456789012:cluster/api-serve');
    const wrong = new ECSClient({
      endpoint: serve.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: 'nope' },
      maxAttempts: 1,
    });
    await expect(
      wrong.send(new CreateClusterCommand({ clusterName: 'api-serve-denied' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    const d = await ecs.send(new DescribeClustersCommand({ clusters: ['api-serve-denied'] }));
    expect(d.failures?.[0]?.reason).toBe('MISSING');
  });

  it('serves CloudWatch Logs, ELBv2 and Application Auto Scaling on the same port, to their SDK clients', async () => {
    const config = { endpoint: serve.url, region: 'eu-west-1', credentials: key, maxAttempts: 1 };
    const logs = new CloudWatchLogsClient(config);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/serve/app' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/serve/app', logStreamName: 'one' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/serve/app',
        logStreamName: 'one',
        logEvents: [{ timestamp: Date.now(), message: 'hello from the SDK' }],
      }),
    );
    const read = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/serve/app', logStreamName: 'one' }),
    );
    expect(read.events?.map((e) => e.message)).toEqual(['hello from the SDK']);
    const elb = new ElasticLoadBalancingV2Client(config);
    const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'serve-tg', Protocol: 'HTTP', Port: 80 }));
    expect(tg.TargetGroups?.[0]?.TargetGroupArn).toMatch(
      /^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/serve-tg\//,
    );
    const d = await elb.send(new DescribeTargetGroupsCommand({ Names: ['serve-tg'] }));
    expect(d.TargetGroups?.[0]?.Port).toBe(80);
    const aas = new ApplicationAutoScalingClient(config);
    const missing = aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: 'service/api-serve/none',
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 0,
        MaxCapacity: 2,
      }),
    );
    await expect(missing).rejects.toMatchObject({ name: 'ObjectNotFoundException' });
    const targets = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
    expect(targets.ScalableTargets).toEqual([]);
  });

  it('logs JSON lines on stderr with the key id and never the secret', () => {
    const lines = serve
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === 'api request');
    expect(requests.some((l) => l.operation === 'CreateCluster' && l.accessKeyId === key.accessKeyId)).toBe(
      true,
    );
    expect(requests.some((l) => l.status === 403)).toBe(true);
    expect(serve.stderr()).not.toContain(key.secretAccessKey);
  });

  it('stops on SIGINT with exit code 0', async () => {
    const other = await spawnServe(['--port', '0', '--config', config]);
    expect(await other.stop('SIGINT')).toBe(0);
    expect(other.stderr()).toMatch(/baton stopped/);
  }, 90_000);

  it('a bad flag exits 2 naming it (the rules themselves: test/cli/serve-config.test.ts)', async () => {
    const r = await serveRefusal(['--port', 'eighty']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^baton serve: --port: must be a whole number from 0 to 65535 \(got "eighty"\)/);
  }, 90_000);
});
