import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const secret = 'examples-secret';
const running: ChildProcess[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

/** Runs an example (tsx, from source) on a free port; resolves with its URL once it listens. */
async function runExample(file: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'examples', file)], {
    cwd: root,
    env: { ...process.env, PORT: '0', BATON_SECRET_ACCESS_KEY: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not listen within 60 s:\n${err}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${file} exited ${code}:\n${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
}

describe('examples: the handler mounted in Express and Fastify', () => {
  for (const file of ['api-express.ts', 'api-fastify.ts']) {
    it(`${file}: ECS, CloudWatch Logs and ELBv2 through their SDKs, the app's own route, a bad signature refused`, async () => {
      const url = await runExample(file);
      const config = {
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret },
        maxAttempts: 1,
      };
      const ecs = new ECSClient(config);
      await ecs.send(new CreateClusterCommand({ clusterName: 'example-c' }));
      const listed = await ecs.send(new ListClustersCommand({}));
      expect(listed.clusterArns?.some((a) => a.endsWith(':cluster/example-c'))).toBe(true);
      const logs = new CloudWatchLogsClient(config);
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/example' }));
      const groups = await logs.send(new DescribeLogGroupsCommand({}));
      expect(groups.logGroups?.map((g) => g.logGroupName)).toContain('/example');
      const elb = new ElasticLoadBalancingV2Client(config);
      expect((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups).toEqual([]);
      expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
      const wrong = new ECSClient({
        ...config,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wrong' },
      });
      const denied = await errorOf(wrong.send(new CreateClusterCommand({ clusterName: 'example-denied' })));
      expect(denied.name).toBe('InvalidSignatureException');
      const after = await ecs.send(new ListClustersCommand({}));
      expect(after.clusterArns?.some((a) => a.endsWith(':cluster/example-denied'))).toBe(false);
    }, 90_000);
  }
});
