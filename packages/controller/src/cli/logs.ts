import type { Client } from './client.js';
import { connect, connectionHelp, duration, parseVerb, type VerbIo } from './client-args.js';
import { allTasks, describeTasks, listAll, shortId, type Wire, type WireTask } from './ecs-reads.js';
import { ENGINE_LOGS_PATH } from './engine-logs-path.js';
import { UsageError } from './usage-error.js';

export const logsUsage = `usage: baton logs TASK|SERVICE [options]

A task's container logs, or those of every task of a service (running ones, and with --since
recently stopped ones too). Containers that log with the awslogs driver: Baton keeps their
streams (\`prefix/container/task-id\`) and serves them through CloudWatch Logs' API. Others
(json-file, local, the engine's default): read from their engine through \`baton serve\`.

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
    return streamsOf(client, tasks, values.container);
  };
  let found = await findStreams();
  if (found.streams.length === 0 && found.engine.length === 0 && !values.follow)
    throw new Error(
      `no log to read for ${target}${values.container ? ` container "${values.container}"` : ''}`,
    );
  const several = () => found.streams.length + found.engine.length > 1;
  const print = (label: string, timestamp: number, message: string) => {
    const when = values.timestamps ? `${new Date(timestamp).toISOString()} ` : '';
    io.stdout(`${several() ? `[${label}] ` : ''}${when}${message.replace(/\n$/, '')}`);
  };
  const engineQuery = (e: EngineTarget, follow: boolean) => ({
    cluster,
    task: e.taskArn,
    container: e.container,
    ...(sinceMs !== undefined ? { since: String(sinceMs) } : {}),
    ...(follow ? { follow: '1' } : {}),
  });

  if (!values.follow) {
    const events: { timestamp: number; message: string; label: string }[] = [];
    for (const s of found.streams)
      for (const e of await readStream(client, s, sinceMs)) events.push({ ...e, label: s.label });
    for (const e of found.engine)
      for await (const text of await client.getLines(ENGINE_LOGS_PATH, engineQuery(e, false))) {
        const l = JSON.parse(text) as { t: number; line: string };
        events.push({ timestamp: l.t, message: l.line, label: e.label });
      }
    // A stable sort: one container's lines keep their order within a millisecond.
    events.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of events) print(e.label, e.timestamp, e.message);
    return 0;
  }

  // Following: engine logs stream from `baton serve` (one request per container, open until Ctrl-C);
  // awslogs streams are read every --interval.
  const following = new Set<string>();
  const followEngines = () => {
    for (const e of found.engine) {
      const key = `${e.taskArn}\u0000${e.container}`;
      if (following.has(key)) continue;
      following.add(key);
      void (async () => {
        for await (const text of await client.getLines(ENGINE_LOGS_PATH, engineQuery(e, true))) {
          const l = JSON.parse(text) as { t: number; line: string };
          print(e.label, l.t, l.line);
        }
      })().catch((error: Error) => io.stderr(`${e.label}: ${error.message}`));
    }
  };
  const seen = new Set<string>();
  let from = sinceMs;
  for (;;) {
    followEngines();
    const events: { timestamp: number; message: string; eventId: string; label: string; stream: string }[] =
      [];
    for (const s of found.streams)
      for (const e of await readStream(client, s, from))
        if (!seen.has(`${s.stream}\u0000${e.eventId}`))
          events.push({ ...e, label: s.label, stream: s.stream });
    events.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of events) {
      seen.add(`${e.stream}\u0000${e.eventId}`);
      print(e.label, e.timestamp, e.message);
      from = Math.max(from ?? 0, e.timestamp);
    }
    await new Promise((r) => setTimeout(r, interval));
    // New tasks of a service (a deployment, a replacement) join the tail.
    found = await findStreams();
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

/** A container that logs with the engine's own driver: read through `baton serve`'s engine-logs route. */
interface EngineTarget {
  readonly label: string;
  readonly taskArn: string;
  readonly container: string;
}

/**
 * The tasks' containers (`-c` picks one): awslogs streams, read through CloudWatch Logs' API, and
 * the others, read from their engine through `baton serve` (ENGINE_LOGS_PATH).
 */
async function streamsOf(
  client: Client,
  tasks: readonly WireTask[],
  container: string | undefined,
): Promise<{ streams: Stream[]; engine: EngineTarget[] }> {
  const definitions = new Map<string, Wire[]>();
  const out: Stream[] = [];
  const engine: EngineTarget[] = [];
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
      const label = `${shortId(task.taskArn).slice(0, 8)}/${def.name}`;
      const config = def.logConfiguration as
        | { logDriver?: string; options?: Record<string, string> }
        | undefined;
      if (config?.logDriver !== 'awslogs' || !config.options?.['awslogs-group']) {
        // Not started yet: no engine log to read.
        if (task.containers?.find((c) => c.name === def.name)?.runtimeId)
          engine.push({ label, taskArn: task.taskArn, container: String(def.name) });
        continue;
      }
      const prefix = config.options['awslogs-stream-prefix'];
      const runtimeId = task.containers?.find((c) => c.name === def.name)?.runtimeId;
      const stream = prefix ? `${prefix}/${def.name}/${shortId(task.taskArn)}` : runtimeId;
      if (!stream) continue; // not started yet: no stream to read
      out.push({ label, group: config.options['awslogs-group'], stream });
    }
  }
  return { streams: out, engine };
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
