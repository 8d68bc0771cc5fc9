import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { awsJson, serveForAwsCli } from './awscli.js';
import {
  clusterContainers,
  engine1,
  httpdTaskDefinition,
  httpStatus,
  uniqueCluster,
  waitFor,
} from './harness.js';

const key = { id: 'AKIDFORCEDEPLOY0001', secret: 'force-new-deployment-secret' };
const cluster = uniqueCluster('operator-force');
const dir = mkdtempSync(join(tmpdir(), 'baton-force-deploy-'));

/** The stock AWS CLI against `url` (awscli.ts), HOME in the test's directory. */
const aws = (url: string, args: string[]) => awsJson(url, args, key, dir);

interface Deployment {
  id: string;
  status: string;
  taskDefinition: string;
  rolloutState: string;
}
interface Svc {
  runningCount: number;
  deployments: Deployment[];
  events: { message: string }[];
}
interface TaskJson {
  taskArn: string;
  lastStatus: string;
  startedBy: string;
  containers: { networkBindings?: { hostPort: number }[] }[];
}

describe('aws ecs update-service --force-new-deployment against baton serve on a real engine', () => {
  const serve = serveForAwsCli(cluster, key, dir, { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '2s' });

  it('replaces every task with a new deployment of the same revision, by the rolling update rules', async () => {
    const url = serve.url;
    const family = `${cluster}-web`;
    const tdFile = join(dir, 'td.json');
    // A container health check (every 5 s) makes each new task healthy in seconds, not ECS's implicit 40 s.
    writeFileSync(tdFile, JSON.stringify(httpdTaskDefinition(family, { healthCheck: true })));
    expect((await aws(url, ['ecs', 'create-cluster', '--cluster-name', cluster])).code).toBe(0);
    const td = await aws(url, ['ecs', 'register-task-definition', '--cli-input-json', `file://${tdFile}`]);
    expect(td.code, td.stderr).toBe(0);
    const created = await aws(url, [
      'ecs',
      'create-service',
      '--cluster',
      cluster,
      '--service-name',
      'web',
      '--task-definition',
      family,
      '--desired-count',
      '2',
      '--deployment-configuration',
      'minimumHealthyPercent=50,maximumPercent=100',
    ]);
    expect(created.code, created.stderr).toBe(0);
    // Polling goes through the SDK (a CLI process per poll is slow on a busy machine); the change through the CLI.
    const sdk = new ECSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
      maxAttempts: 1,
    });
    const describe = async () =>
      (await sdk.send(new DescribeServicesCommand({ cluster, services: ['web'] }))).services![0] as Svc;
    const tasksOf = async () => {
      const arns = (await sdk.send(new ListTasksCommand({ cluster, serviceName: 'web' }))).taskArns ?? [];
      if (arns.length === 0) return [];
      return (await sdk.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks as TaskJson[];
    };
    const first = await waitFor('the first deployment completed with 2 running tasks', 90_000, async () => {
      const s = await describe();
      return s.runningCount === 2 && s.deployments[0]?.rolloutState === 'COMPLETED' ? s : undefined;
    });
    const oldDeployment = first.deployments[0]!;
    const oldTasks = (await tasksOf()).map((t) => t.taskArn);
    expect(oldTasks).toHaveLength(2);

    const forced = await aws(url, [
      'ecs',
      'update-service',
      '--cluster',
      cluster,
      '--service',
      'web',
      '--force-new-deployment',
    ]);
    expect(forced.code, forced.stderr).toBe(0);

    const rolling = await waitFor('a new PRIMARY deployment', 30_000, async () => {
      const s = await describe();
      return s.deployments.some((d) => d.status === 'PRIMARY' && d.id !== oldDeployment.id) ? s : undefined;
    });
    const primary = rolling.deployments.find((d) => d.status === 'PRIMARY')!;
    expect(primary.taskDefinition).toBe(oldDeployment.taskDefinition);

    // minimumHealthyPercent 50 of 2: one old task keeps serving while the other is replaced.
    let fewestRunning = Infinity;
    const done = await waitFor('the new deployment completed', 120_000, async () => {
      const s = await describe();
      fewestRunning = Math.min(fewestRunning, s.runningCount);
      const p = s.deployments.find((d) => d.id === primary.id);
      return p?.rolloutState === 'COMPLETED' &&
        s.deployments.filter((d) => d.status !== 'INACTIVE').length === 1
        ? s
        : undefined;
    });
    expect(fewestRunning).toBeGreaterThanOrEqual(1);
    expect(done.events.map((e) => e.message)).toContain(
      `(service web) (deployment ${primary.id}) deployment completed.`,
    );

    const now = await waitFor('two RUNNING tasks of the new deployment', 60_000, async () => {
      const ts = await tasksOf();
      return ts.length === 2 && ts.every((t) => t.lastStatus === 'RUNNING') ? ts : undefined;
    });
    expect(now.every((t) => t.startedBy === primary.id && !oldTasks.includes(t.taskArn))).toBe(true);
    for (const t of now) expect(await httpStatus(t.containers[0]!.networkBindings![0]!.hostPort)).toBe(200);
    // The old tasks' containers stopped on the engine: only the new two run.
    const running = await waitFor('only the new containers running', 60_000, async () => {
      const cs = await clusterContainers(engine1, cluster);
      return cs.length === 2 ? cs : undefined;
    });
    expect(running).toHaveLength(2);
  }, 300_000);

  it('refuses to force a deployment of a service that does not exist, with ECS’s exception', async () => {
    const missing = await aws(serve.url, [
      'ecs',
      'update-service',
      '--cluster',
      cluster,
      '--service',
      'nope',
      '--force-new-deployment',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ServiceNotFoundException/);
    expect(missing.stderr).toMatch(/Service not found: nope/);
  }, 60_000);
});
