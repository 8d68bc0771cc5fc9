import type { Client } from './client.js';
import { connect, connectionHelp, duration, parseVerb, type VerbIo } from './client-args.js';
import { allTasks, describeTasks, listAll, shortId, type Wire, type WireTask } from './ecs-reads.js';
import { UsageError } from './usage-error.js';

export const logsUsage = `usage: baton logs TASK|SERVICE [options]

A task's container logs, or those of every task of a service (running ones, and with --since
recently stopped ones too), for containers that log with the awslogs driver: Baton keeps their
streams (\`prefix/container/task-id\`) and serves them through CloudWatch Logs' API.

  -c, --container <name>  only this container's log
  -f, --follow            keep printing new lines (Ctrl-C stops)
  --since <duration>      only lines newer than this (30s, 5m, 2h; default: all)
  --timestamps            prefix each line with its time
  --interval <duration>   how often to look for new lines with -f (default 1s)

${connectionHelp}

examples:
  baton logs web -f
  baton logs 0f3c1d2e4b5a4c6d8e9f0a1b2c3d4e5f -c app --since 10m
  baton logs web --cluster prod --timestamps`;

/** One log stream to read: which task and container it belongs to, where Baton keeps it. */
interface Stream {
  readonly label: string;
  readonly group: string;
  readonly stream: string;
}

export async function logs(io: VerbIo): Promise<number> {
  const { values, positionals } = parseVerb(io.argv, {
    container: { type: 'string', short: 'c' },
    follow: { type: 'boolean', short: 'f' },
    since: { type: 'string' },
    timestamps: { type: 'boolean' },
    interval: { type: 'string' },
  });
  if (values.help) {
    io.stdout(logsUsage);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError('which task or service (TASK|SERVICE)');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const sinceMs = values.since === undefined ? undefined : Date.now() - duration('--since', values.since);
  const interval = values.interval === undefined ? 1000 : duration('--interval', values.interval);
  const { client, cluster } = await connect(values, io.env);

  const findStreams = async () => {
    const tasks = await tasksOf(client, cluster, target, sinceMs !== undefined);
    return streamsOf(client, tasks, values.container, io.stderr);
  };
  let streams = await findStreams();
  if (streams.length === 0 && !values.follow)
    throw new Error(
      `no awslogs stream for ${target}${values.container ? ` container "${values.container}"` : ''}`,
    );
  const seen = new Set<string>();
  let from = sinceMs;
  const label = (s: string) => (streams.length > 1 ? `[${s}] ` : '');
  for (;;) {
    const events: { timestamp: number; message: string; eventId: string; label: string }[] = [];
    for (const s of streams)
      for (const e of await readStream(client, s, from))
        if (!seen.has(`${s.stream}\u0000${e.eventId}`)) events.push({ ...e, label: s.label });
    events.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of events) {
      seen.add(`${streams.find((s) => s.label === e.label)?.stream}\u0000${e.eventId}`);
      const when = values.timestamps ? `${new Date(e.timestamp).toISOString()} ` : '';
      io.stdout(`${label(e.label)}${when}${e.message.replace(/\n$/, '')}`);
      from = Math.max(from ?? 0, e.timestamp);
    }
    if (!values.follow) return 0;
    await new Promise((r) => setTimeout(r, interval));
    // New tasks of a service (a deployment, a replacement) join the tail.
    streams = await findStreams();
  }
}

const TASK_ID = /^[0-9a-f]{32}$/;

/** TASK (an id or ARN) → that task; SERVICE → its running tasks (and stopped ones when asked). */
async function tasksOf(
  client: Client,
  cluster: string,
  target: string,
  withStopped: boolean,
): Promise<WireTask[]> {
  if (TASK_ID.test(target) || target.startsWith('arn:')) {
    const tasks = await describeTasks(client, cluster, [target]);
    if (tasks.length === 0) throw new Error(`task "${target}" not found in cluster "${cluster}"`);
    return tasks;
  }
  const r = await client.call('ecs', 'DescribeServices', { cluster, services: [target] });
  if (((r.services as Wire[] | undefined) ?? []).length === 0)
    throw new Error(`no task or service "${target}" in cluster "${cluster}"`);
  if (withStopped) return allTasks(client, cluster, target);
  return describeTasks(
    client,
    cluster,
    await listAll(client, 'ListTasks', { cluster, serviceName: target }, 'taskArns'),
  );
}

/** The awslogs streams of the tasks' containers (`-c` picks one); other drivers are named on stderr. */
async function streamsOf(
  client: Client,
  tasks: readonly WireTask[],
  container: string | undefined,
  warn: (line: string) => void,
): Promise<Stream[]> {
  const definitions = new Map<string, Wire[]>();
  const out: Stream[] = [];
  for (const task of tasks) {
    const arn = task.taskDefinitionArn ?? '';
    if (!definitions.has(arn)) {
      const r = await client.call('ecs', 'DescribeTaskDefinition', { taskDefinition: arn });
      definitions.set(arn, ((r.taskDefinition as Wire).containerDefinitions as Wire[] | undefined) ?? []);
    }
    const defs = definitions.get(arn)!;
    if (container && !defs.some((d) => d.name === container))
      throw new UsageError(
        `-c ${container}: task ${shortId(task.taskArn)} has containers ${defs.map((d) => d.name).join(', ')}`,
      );
    for (const def of defs) {
      if (container && def.name !== container) continue;
      const config = def.logConfiguration as
        | { logDriver?: string; options?: Record<string, string> }
        | undefined;
      if (config?.logDriver !== 'awslogs' || !config.options?.['awslogs-group']) {
        warn(
          `container "${def.name}" of task ${shortId(task.taskArn)} logs with ${config?.logDriver ?? "the engine's default driver"}: read it on its engine (docker logs ${task.containers?.find((c) => c.name === def.name)?.runtimeId ?? '<container>'})`,
        );
        continue;
      }
      const prefix = config.options['awslogs-stream-prefix'];
      const runtimeId = task.containers?.find((c) => c.name === def.name)?.runtimeId;
      const stream = prefix ? `${prefix}/${def.name}/${shortId(task.taskArn)}` : runtimeId;
      if (!stream) continue; // not started yet: no stream to read
      out.push({
        label: `${shortId(task.taskArn).slice(0, 8)}/${def.name}`,
        group: config.options['awslogs-group'],
        stream,
      });
    }
  }
  return out;
}

async function readStream(
  client: Client,
  s: Stream,
  from: number | undefined,
): Promise<{ timestamp: number; message: string; eventId: string }[]> {
  const out: { timestamp: number; message: string; eventId: string }[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const r = await client.call('logs', 'FilterLogEvents', {
        logGroupName: s.group,
        logStreamNames: [s.stream],
        ...(from !== undefined ? { startTime: from } : {}),
        ...(nextToken ? { nextToken } : {}),
      });
      for (const e of (r.events as Wire[] | undefined) ?? [])
        out.push({
          timestamp: Number(e.timestamp),
          message: String(e.message ?? ''),
          eventId: String(e.eventId),
        });
      nextToken = r.nextToken as string | undefined;
    } while (nextToken);
  } catch (error) {
    // A task that has not written yet has no stream (or group) yet.
    if ((error as { code?: string }).code === 'ResourceNotFoundException') return out;
    throw error;
  }
  return out;
}
