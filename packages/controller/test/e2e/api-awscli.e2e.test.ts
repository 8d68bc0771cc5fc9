import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsJson, awsText as awsTextOf, type CliResult, type CliText, serveForAwsCli } from './awscli.js';
import {
  clusterContainers,
  engine1,
  httpdTaskDefinition,
  httpStatus,
  testImage,
  uniqueCluster,
  waitFor,
} from './harness.js';

const key = { id: 'AKIDAWSCLI000000001', secret: 'awscli-walkthrough-secret' };
const cluster = uniqueCluster('api-cli');
const dir = mkdtempSync(join(tmpdir(), 'baton-api-awscli-'));

/** The stock AWS CLI against `url`. */
function aws(url: string, args: string[], secret = key.secret): Promise<CliResult> {
  return awsJson(url, args, { id: key.id, secret }, dir);
}

/** The CLI's text output (commands such as `aws logs tail` print lines, not JSON). */
function awsText(url: string, args: string[]): Promise<CliText> {
  return awsTextOf(url, args, key, dir, 60_000);
}

type Svc = { status: string; runningCount: number; desiredCount: number; deployments: unknown[] };
type TaskJson = {
  taskArn: string;
  lastStatus: string;
  containers: { networkBindings?: { hostPort: number }[] }[];
};

describe('the AWS CLI walkthrough against baton serve on a real engine', () => {
  const serve = serveForAwsCli(cluster, key, dir, { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '2s' });

  it('runs a service from create-cluster to delete-service --force', async () => {
    const url = serve.url;
    const created = await aws(url, ['ecs', 'create-cluster', '--cluster-name', cluster]);
    expect(created.code, created.stderr).toBe(0);
    expect((created.json.cluster as { status: string }).status).toBe('ACTIVE');

    const tdFile = join(dir, 'td.json');
    writeFileSync(tdFile, JSON.stringify(httpdTaskDefinition(`${cluster}-web`)));
    const td = await aws(url, ['ecs', 'register-task-definition', '--cli-input-json', `file://${tdFile}`]);
    expect(td.code, td.stderr).toBe(0);
    expect((td.json.taskDefinition as { revision: number }).revision).toBe(1);

    const svc = await aws(url, [
      'ecs',
      'create-service',
      '--cluster',
      cluster,
      '--service-name',
      'web',
      '--task-definition',
      `${cluster}-web`,
      '--desired-count',
      '1',
    ]);
    expect(svc.code, svc.stderr).toBe(0);
    const waited = await aws(url, [
      'ecs',
      'wait',
      'services-stable',
      '--cluster',
      cluster,
      '--services',
      'web',
    ]);
    expect(waited.code, waited.stderr).toBe(0);
    const described = await aws(url, ['ecs', 'describe-services', '--cluster', cluster, '--services', 'web']);
    const s = (described.json.services as Svc[])[0]!;
    expect(s).toMatchObject({ status: 'ACTIVE', runningCount: 1, desiredCount: 1 });

    const listed = await aws(url, ['ecs', 'list-tasks', '--cluster', cluster, '--service-name', 'web']);
    const taskArns = listed.json.taskArns as string[];
    expect(taskArns).toHaveLength(1);
    const tasks = await aws(url, ['ecs', 'describe-tasks', '--cluster', cluster, '--tasks', ...taskArns]);
    const task = (tasks.json.tasks as TaskJson[])[0]!;
    expect(task.lastStatus).toBe('RUNNING');
    const port = task.containers[0]!.networkBindings![0]!.hostPort;
    expect(await httpStatus(port)).toBe(200);

    // SIGTERM leaves the container running; the next start adopts the same task.
    expect(await serve.stop()).toBe(0);
    expect((await clusterContainers(engine1, cluster)).length).toBe(1);
    await serve.start();
    const again = await aws(serve.url, ['ecs', 'list-tasks', '--cluster', cluster, '--service-name', 'web']);
    expect(again.json.taskArns).toEqual(taskArns);
    expect(await httpStatus(port)).toBe(200);

    const updated = await aws(serve.url, [
      'ecs',
      'update-service',
      '--cluster',
      cluster,
      '--service',
      'web',
      '--desired-count',
      '2',
    ]);
    expect((updated.json.service as Svc).desiredCount).toBe(2);

    const stopped = await aws(serve.url, [
      'ecs',
      'stop-task',
      '--cluster',
      cluster,
      '--task',
      taskArns[0]!,
      '--reason',
      'walkthrough',
    ]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const replaced = await waitFor('two running tasks, neither the stopped one', 60_000, async () => {
      const l = await aws(serve.url, ['ecs', 'list-tasks', '--cluster', cluster, '--service-name', 'web']);
      const arns = l.json.taskArns as string[];
      if (arns.length !== 2 || arns.includes(taskArns[0]!)) return undefined;
      const d = await aws(serve.url, ['ecs', 'describe-tasks', '--cluster', cluster, '--tasks', ...arns]);
      const ts = d.json.tasks as TaskJson[];
      return ts.every((t) => t.lastStatus === 'RUNNING') ? ts : undefined;
    });
    expect(replaced).toHaveLength(2);
    const old = await aws(serve.url, [
      'ecs',
      'describe-tasks',
      '--cluster',
      cluster,
      '--tasks',
      taskArns[0]!,
    ]);
    expect((old.json.tasks as { stoppedReason: string }[])[0]!.stoppedReason).toBe('walkthrough');

    const deleted = await aws(serve.url, [
      'ecs',
      'delete-service',
      '--cluster',
      cluster,
      '--service',
      'web',
      '--force',
    ]);
    expect((deleted.json.service as Svc).status).toBe('DRAINING');
    await waitFor('the cluster’s containers gone from the engine', 60_000, async () =>
      (await clusterContainers(engine1, cluster, true)).length === 0 ? true : undefined,
    );
  }, 300_000);

  it("reads an awslogs task's lines with aws logs get-log-events, filter-log-events and aws logs tail", async () => {
    const group = `/baton/${cluster}`;
    const family = `${cluster}-talker`;
    const tdFile = join(dir, 'talker.json');
    writeFileSync(
      tdFile,
      JSON.stringify({
        family,
        containerDefinitions: [
          {
            name: 'app',
            image: testImage,
            memory: 16,
            stopTimeout: 1,
            command: ['sh', '-c', 'for i in $(seq 1 30); do echo line-$i; done; echo ERROR boom; sleep 60'],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': group,
                'awslogs-region': 'us-east-1',
                'awslogs-stream-prefix': 'cli',
                'awslogs-create-group': 'true',
              },
            },
          },
        ],
      }),
    );
    const td = await aws(serve.url, [
      'ecs',
      'register-task-definition',
      '--cli-input-json',
      `file://${tdFile}`,
    ]);
    expect(td.code, td.stderr).toBe(0);
    const run = await aws(serve.url, ['ecs', 'run-task', '--cluster', cluster, '--task-definition', family]);
    expect(run.code, run.stderr).toBe(0);
    const taskArn = (run.json.tasks as TaskJson[])[0]!.taskArn;
    const stream = `cli/app/${taskArn.split('/').pop()}`;

    const events = await waitFor('the task’s 31 lines through get-log-events', 60_000, async () => {
      const r = await aws(serve.url, [
        'logs',
        'get-log-events',
        '--log-group-name',
        group,
        '--log-stream-name',
        stream,
        '--start-from-head',
      ]);
      const msgs = ((r.json.events ?? []) as { message: string }[]).map((e) => e.message);
      return msgs.length >= 31 ? msgs : undefined;
    });
    expect(events).toEqual([...Array.from({ length: 30 }, (_, i) => `line-${i + 1}`), 'ERROR boom']);

    // get-log-events' own paginator (page size 7) follows nextForwardToken until it repeats.
    const paged = await aws(serve.url, [
      'logs',
      'get-log-events',
      '--log-group-name',
      group,
      '--log-stream-name',
      stream,
      '--start-from-head',
      '--limit',
      '7',
    ]);
    expect(((paged.json.events ?? []) as unknown[]).length).toBe(7);

    const streams = await aws(serve.url, ['logs', 'describe-log-streams', '--log-group-name', group]);
    expect((streams.json.logStreams as { logStreamName: string }[]).map((s) => s.logStreamName)).toEqual([
      stream,
    ]);
    const groups = await aws(serve.url, ['logs', 'describe-log-groups', '--log-group-name-prefix', group]);
    expect((groups.json.logGroups as { logGroupName: string }[]).map((g) => g.logGroupName)).toEqual([group]);
    const filtered = await aws(serve.url, [
      'logs',
      'filter-log-events',
      '--log-group-name',
      group,
      '--filter-pattern',
      'ERROR',
      '--page-size',
      '1',
    ]);
    expect((filtered.json.events as { message: string }[]).map((e) => e.message)).toEqual(['ERROR boom']);

    // aws logs tail pages FilterLogEvents since --since and prints "<time> <stream> <message>" lines.
    const tail = await awsText(serve.url, ['logs', 'tail', group, '--since', '1h']);
    expect(tail.code, tail.stderr).toBe(0);
    const lines = tail.stdout.trim().split('\n');
    expect(lines).toHaveLength(31);
    expect(lines[0]).toMatch(
      new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\S+ ${stream.replace(/\//g, '\\/')} line-1$`),
    );
    expect(lines[30]).toMatch(/ ERROR boom$/);
    const short = await awsText(serve.url, [
      'logs',
      'tail',
      group,
      '--since',
      '1h',
      '--format',
      'short',
      '--filter-pattern',
      'ERROR',
    ]);
    expect(short.stdout.trim()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2} ERROR boom$/);
    const retained = await aws(serve.url, [
      'logs',
      'put-retention-policy',
      '--log-group-name',
      group,
      '--retention-in-days',
      '7',
    ]);
    expect(retained.code, retained.stderr).toBe(0);
    const missing = await awsText(serve.url, ['logs', 'tail', `${group}-none`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);

    const stopped = await aws(serve.url, ['ecs', 'stop-task', '--cluster', cluster, '--task', taskArn]);
    expect(stopped.code, stopped.stderr).toBe(0);
  }, 180_000);

  it('refuses a wrong secret and an unknown operation, changing nothing', async () => {
    const bad = await aws(
      serve.url,
      ['ecs', 'create-cluster', '--cluster-name', `${cluster}-denied`],
      'wrong-secret',
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/InvalidSignatureException/);
    const unknown = (
      await awsText(serve.url, [
        'ecs',
        'create-capacity-provider',
        '--name',
        'x',
        '--auto-scaling-group-provider',
        'autoScalingGroupArn=arn:aws:autoscaling:us-east-1:1:x',
      ])
    ).stderr;
    expect(unknown).toMatch(/UnknownOperationException/);
    expect(unknown).toMatch(/CreateCapacityProvider/);
    const d = await aws(serve.url, ['ecs', 'describe-clusters', '--clusters', `${cluster}-denied`]);
    expect((d.json.failures as { reason: string }[])[0]!.reason).toBe('MISSING');
  }, 120_000);
});
