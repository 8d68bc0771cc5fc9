import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTasksCommand,
  ECSClient,
  type LogDriver,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
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
  waitFor,
} from './harness.js';

const cluster = uniqueCluster('operator-enginelogs');
const key = { accessKeyId: 'AKIDENGINELOGS000001', secretAccessKey: 'engine-logs-secret' };
const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let serve: ServeProcess;
let ecs: ECSClient;
let taskId: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await requireEngine(engine1);
  serve = await spawnServe(
    [
      '--port',
      '0',
      '--engine',
      engine1,
      '--cluster',
      cluster,
      '--data-dir',
      join(mkdtempSync(join(tmpdir(), 'baton-enginelogs-')), 'data'),
    ],
    {
      BATON_ACCESS_KEY_ID: key.accessKeyId,
      BATON_SECRET_ACCESS_KEY: key.secretAccessKey,
      ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
    },
  );
  env = {
    BATON_ENDPOINT: serve.url,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  ecs = new ECSClient({ endpoint: serve.url, region: 'us-east-1', credentials: key, maxAttempts: 3 });
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${cluster}-talk`,
      containerDefinitions: [
        {
          name: 'json',
          image: testImage,
          memory: 16,
          stopTimeout: 1,
          // `late` comes 6 s after `early` (for -f), then a tick a second (for --since).
          command: [
            'sh',
            '-c',
            'echo early-1; echo early-2; sleep 6; echo late-json; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 1; done',
          ],
          logConfiguration: { logDriver: 'json-file' },
        },
        {
          name: 'local',
          image: testImage,
          memory: 16,
          stopTimeout: 1,
          command: ['sh', '-c', 'echo from-local >&2; sleep 600'],
          // The SDK's LogDriver enum predates Docker's `local` driver; ECS and Baton take it.
          logConfiguration: { logDriver: 'local' as string as LogDriver },
        },
      ],
    }),
  );
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${cluster}-talk` }));
  const arn = run.tasks![0]!.taskArn!;
  taskId = arn.slice(arn.lastIndexOf('/') + 1);
  await waitFor('the task RUNNING', 60_000, async () => {
    const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
    return t?.lastStatus === 'RUNNING' ? t : undefined;
  });
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  await removeClusterContainers(engine1, cluster);
}, 60_000);

const logs = (...args: string[]) => runCli(['logs', ...args, '--cluster', cluster], env, 60_000);

describe('baton logs of json-file and local containers, read from the engine through baton serve', () => {
  it('prints both containers’ lines, labelled, and one container’s with -c', {
    timeout: 60_000,
  }, async () => {
    const all = await waitFor('both containers’ first lines', 20_000, async () => {
      const r = await logs(taskId);
      return r.code === 0 && r.stdout.includes('early-2') && r.stdout.includes('from-local') ? r : undefined;
    });
    const lines = all.stdout.trim().split('\n');
    const short = taskId.slice(0, 8);
    expect(lines).toContain(`[${short}/json] early-1`);
    expect(lines).toContain(`[${short}/local] from-local`);
    expect(lines.indexOf(`[${short}/json] early-1`)).toBeLessThan(lines.indexOf(`[${short}/json] early-2`));
    expect(all.stderr).not.toContain('docker logs');

    const one = await logs(taskId, '-c', 'json', '--timestamps');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z early-1$/m);
    expect(one.stdout).not.toContain('from-local');
  });

  it('follows new lines with -f, each line once', { timeout: 60_000 }, async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cliPath, 'logs', taskId, '-c', 'json', '-f', '--cluster', cluster],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    try {
      await waitFor('late-json through -f', 30_000, () => (out.includes('late-json') ? true : undefined));
      expect(err).toBe('');
      await waitFor('tick-1 through -f', 30_000, () => (out.includes('tick-1\n') ? true : undefined));
      const lines = out.trim().split('\n');
      expect(lines.slice(0, 5)).toEqual(['early-1', 'early-2', 'late-json', 'tick-0', 'tick-1']);
      expect(new Set(lines).size).toBe(lines.length);
    } finally {
      child.kill('SIGINT');
    }
  });

  it('--since leaves older lines out', { timeout: 60_000 }, async () => {
    // Once tick-8 is there, tick-0 and everything before it are 8 s old or more.
    await waitFor('tick-8', 30_000, async () =>
      (await logs(taskId, '-c', 'json')).stdout.includes('tick-8') ? true : undefined,
    );
    const recent = await logs(taskId, '-c', 'json', '--since', '3s');
    expect(recent.code, recent.stderr).toBe(0);
    const lines = recent.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^tick-\d+$/.test(l))).toBe(true);
    expect(lines).not.toContain('tick-0');
    expect(lines.length).toBeLessThanOrEqual(5);
  });

  it('refuses an unsigned read and a wrong secret', { timeout: 30_000 }, async () => {
    const unsigned = await fetch(`${serve.url}/baton/v1/engine-logs?cluster=${cluster}&task=${taskId}`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const wrong = await runCli(['logs', taskId, '-c', 'json', '--cluster', cluster], {
      ...env,
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/InvalidSignatureException/);
  });
});
