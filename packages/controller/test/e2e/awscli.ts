import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

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
