import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { engine1, removeClusterContainers, requireEngine, type ServeProcess, spawnServe } from './harness.js';

/** The stock AWS CLI, from Debian's awscli (`bash scripts/provision.sh awscli`). */
export const AWS = '/usr/bin/aws';

export function requireAwsCli(): void {
  if (!existsSync(AWS))
    throw new Error(`${AWS} is missing: run \`bash scripts/provision.sh awscli\` (as root)`);
}

export interface AwsCliKey {
  readonly id: string;
  readonly secret: string;
}

export interface CliResult {
  readonly code: number;
  readonly json: Record<string, unknown>;
  readonly stderr: string;
}

export interface CliText {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `aws --endpoint-url URL ARGS`, signing with `key`, HOME in `home`, no retries, no pager. */
export async function awsText(
  url: string,
  args: readonly string[],
  key: AwsCliKey,
  home: string,
  timeoutMs = 120_000,
): Promise<CliText> {
  return promisify(execFile)(AWS, ['--endpoint-url', url, ...args], {
    timeout: timeoutMs,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ACCESS_KEY_ID: key.id,
      AWS_SECRET_ACCESS_KEY: key.secret,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: Error & { code?: number; stdout?: string; stderr?: string }) => ({
      code: Number(e.code ?? -1),
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? e.message,
    }),
  );
}

/** The same with `--output json`, parsed (`{}` when the command prints nothing or fails). */
export async function awsJson(
  url: string,
  args: readonly string[],
  key: AwsCliKey,
  home: string,
  timeoutMs = 120_000,
): Promise<CliResult> {
  const r = await awsText(url, ['--output', 'json', ...args], key, home, timeoutMs);
  return {
    code: r.code,
    json: r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {},
    stderr: r.stderr,
  };
}

/** `baton serve` for an AWS CLI e2e file: the one running now, and a way to stop it and start another. */
export interface CliServe {
  /** The running server's URL. */
  readonly url: string;
  /** Stops the running server (SIGTERM); resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Starts another with the same flags and data directory. */
  start(): Promise<void>;
}

/**
 * The setup every AWS CLI e2e file shares: in beforeAll, fail clearly without the CLI or engine 1,
 * then start `baton serve` for `cluster` on engine 1 (port 0, data in `dir`/data, credentials `key`,
 * the test image never pulled, plus `env`); in afterAll, stop it and remove the cluster's containers.
 */
export function serveForAwsCli(
  cluster: string,
  key: AwsCliKey,
  dir: string,
  env: NodeJS.ProcessEnv = {},
): CliServe {
  let current: ServeProcess | undefined;
  const start = async () => {
    current = await spawnServe(
      ['--port', '0', '--cluster', cluster, '--engine', engine1, '--data-dir', join(dir, 'data')],
      {
        BATON_ACCESS_KEY_ID: key.id,
        BATON_SECRET_ACCESS_KEY: key.secret,
        ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
        ...env,
      },
    );
  };
  beforeAll(async () => {
    requireAwsCli();
    await requireEngine(engine1);
    await start();
  }, 90_000);
  afterAll(async () => {
    await current?.stop();
    await removeClusterContainers(engine1, cluster);
  }, 60_000);
  return {
    get url() {
      if (!current) throw new Error(`baton serve for ${cluster} is not running`);
      return current.url;
    },
    stop: async () => {
      const code = (await current?.stop()) ?? null;
      current = undefined;
      return code;
    },
    start,
  };
}
