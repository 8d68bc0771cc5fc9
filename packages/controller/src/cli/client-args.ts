import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Client, createClient } from './client.js';
import { UsageError } from './usage-error.js';

/** What a client verb runs with: its arguments, the environment and where its output goes. */
export interface VerbIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Whether stdout is a terminal (live displays redraw in place only then). */
  readonly tty?: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every client verb takes. */
export const connectionFlags = {
  endpoint: { type: 'string' },
  cluster: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const connectionHelp = `connection (every client verb):
  --endpoint <url>   the Baton endpoint (default $BATON_ENDPOINT, else http://127.0.0.1:4566)
  --cluster <name>   the cluster (default "default")
  --region <region>  the signing region (default $AWS_REGION, the profile's, else us-east-1)
  --profile <name>   a profile of ~/.aws/credentials and ~/.aws/config (default $AWS_PROFILE)
Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else the profile's (the AWS SDK's
providers); with none and a loopback endpoint, a placeholder key that \`baton serve\` without
credentials accepts.`;

/** Parses a verb's flags (its own plus the connection flags); a bad flag is a UsageError naming it. */
export function parseVerb<O extends Options>(
  argv: readonly string[],
  options: O,
): ReturnType<
  typeof parseArgs<{ options: typeof connectionFlags & O; strict: true; allowPositionals: true }>
> {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...connectionFlags, ...options },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The client and cluster the connection flags name. */
export async function connect(
  values: { endpoint?: string; cluster?: string; region?: string; profile?: string },
  env: NodeJS.ProcessEnv,
): Promise<{ client: Client; cluster: string }> {
  const client = await createClient({
    env,
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
  });
  return { client, cluster: values.cluster ?? 'default' };
}

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export function outputFormat(value: string | undefined): OutputFormat {
  const o = value ?? 'table';
  if (o === 'table' || o === 'wide' || o === 'json' || o === 'yaml') return o;
  throw new UsageError(`-o: must be table, wide, json or yaml (got "${o}")`);
}

/** A duration such as 30s, 5m, 2h, 1d → milliseconds. */
export function duration(flag: string, text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new UsageError(`${flag}: must be a duration such as 30s, 5m, 2h (got "${text}")`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
