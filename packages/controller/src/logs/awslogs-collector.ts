import type { Logger } from '@baton-ecs/loop';
import {
  type AwslogsSettings,
  awslogsSettings,
  awslogsStreamName,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import type { ContainerEngine, EngineLogLine } from '@baton-ecs/runtime-docker';
import type { LogStore } from './log-store.js';
import { MultilineAssembler } from './multiline.js';

/** Where a collector has read up to: the time (epoch ms) of the last line taken, and how many lines had that time. */
export interface LineCursor {
  readonly time: number;
  readonly count: number;
}

export function formatCursor(c: LineCursor): string {
  return `${c.time}:${c.count}`;
}

export function parseCursor(text: string | undefined): LineCursor | undefined {
  const m = text ? /^(\d+):(\d+)$/.exec(text) : null;
  return m ? { time: Number(m[1]), count: Number(m[2]) } : undefined;
}

/**
 * The lines after `cursor`, each with the cursor just past it. The engine answers whole lines with
 * millisecond times, oldest first, from `cursor.time` on: the first `cursor.count` lines at exactly
 * that time were taken before.
 */
export function linesAfter(
  lines: readonly EngineLogLine[],
  cursor: LineCursor | undefined,
): { line: EngineLogLine; cursor: LineCursor }[] {
  const out: { line: EngineLogLine; cursor: LineCursor }[] = [];
  let at = cursor;
  let skip = cursor?.count ?? 0;
  for (const line of lines) {
    if (cursor && line.time < cursor.time) continue;
    if (cursor && line.time === cursor.time && skip > 0) {
      skip--;
      continue;
    }
    at = at && at.time === line.time ? { time: at.time, count: at.count + 1 } : { time: line.time, count: 1 };
    out.push({ line, cursor: at });
  }
  return out;
}

export interface AwslogsCollectorOptions {
  readonly store: LogStore;
  readonly tasks: () => Iterable<Task>;
  readonly taskDefinition: (arn: string) => TaskDefinition | undefined;
  /** The engine of a container instance this Baton runs the agent of (collection happens where the agent is). */
  readonly engineOf: (containerInstanceArn: string) => ContainerEngine | undefined;
  readonly logger: Logger;
  /** How often each followed container is read. Default 500 ms. */
  readonly pollMs?: number;
  /** A multiline event still open after this long without lines is stored (Docker's awslogs: 5 s). */
  readonly quietFlushMs?: number;
  readonly now?: () => number;
}

interface Follower {
  readonly key: string;
  readonly group: string;
  readonly stream: string;
  readonly containerId: string;
  readonly engine: ContainerEngine;
  readonly assembler: MultilineAssembler;
  /** What has been read (ahead of what is stored while a multiline event is open). */
  cursor: LineCursor | undefined;
  lastLineAt: number;
}

/**
 * Baton's awslogs driver: for every started container whose definition logs with `awslogs` on an
 * engine this Baton runs, it reads the engine's log (json-file) after the stream's stored cursor and
 * appends events to `prefix/container/task-id` in the group — so a restarted Baton resumes where
 * its store ends, with neither loss nor duplicates. A stopped container is read one last time, then
 * left alone.
 */
export class AwslogsCollector {
  private readonly followers = new Map<string, Follower>();
  private readonly done = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private lastRetention = 0;

  constructor(private readonly options: AwslogsCollectorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One pass: discover containers, read each one's new lines. Exposed for tests. */
  async pass(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const stopped = new Set<string>();
    const seen = new Set<string>();
    for (const task of this.options.tasks()) {
      if (!task.containerInstanceArn) continue;
      const td = this.options.taskDefinition(task.taskDefinitionArn);
      if (!td) continue;
      for (const c of task.containers) {
        if (c.runtimeId) seen.add(c.runtimeId);
        if (!c.runtimeId || this.done.has(c.runtimeId)) continue;
        if (c.lastStatus === 'STOPPED' || task.lastStatus === 'STOPPED') stopped.add(c.runtimeId);
        if (this.followers.has(c.runtimeId) || c.startedAt === undefined) continue;
        const settings = awslogsSettings(
          td.containerDefinitions.find((d) => d.name === c.name)?.logConfiguration,
        );
        const engine = this.options.engineOf(task.containerInstanceArn);
        if (!settings || !engine) continue;
        const f = this.follow(task, c.name, c.runtimeId, settings, engine);
        if (f) this.followers.set(c.runtimeId, f);
      }
    }
    for (const f of [...this.followers.values()]) {
      try {
        await this.read(f, now, stopped.has(f.key));
      } catch (err) {
        this.options.logger({
          level: 'warn',
          msg: 'awslogs: reading a container failed; retrying',
          stream: f.stream,
          error: String(err),
        });
      }
    }
    // Containers whose tasks are gone from the store need no memory of having been read.
    for (const id of this.done) if (!seen.has(id)) this.done.delete(id);
    if (now - this.lastRetention > 60_000) {
      this.lastRetention = now;
      this.options.store.enforceRetention(now);
    }
  }

  private follow(
    task: Task,
    containerName: string,
    containerId: string,
    settings: AwslogsSettings,
    engine: ContainerEngine,
  ): Follower | undefined {
    const { store } = this.options;
    const stream = awslogsStreamName(settings, containerName, task.taskArn, containerId);
    if (!store.group(settings.group)) {
      if (!settings.createGroup) {
        this.options.logger({
          level: 'warn',
          msg: 'awslogs: log group does not exist',
          group: settings.group,
          task: task.taskArn,
        });
        this.done.add(containerId);
        return undefined;
      }
      store.createGroup(settings.group);
    }
    store.ensureStream(settings.group, stream);
    return {
      key: containerId,
      group: settings.group,
      stream,
      containerId,
      engine,
      assembler: new MultilineAssembler(settings.eventStart),
      cursor: parseCursor(store.cursor(settings.group, stream)),
      lastLineAt: 0,
    };
  }

  private async read(f: Follower, now: number, final: boolean): Promise<void> {
    const lines = await f.engine.logs(f.containerId, f.cursor ? { sinceMs: f.cursor.time } : {});
    const fresh = linesAfter(lines, f.cursor);
    const events = fresh.flatMap(({ line, cursor }) =>
      f.assembler.push({ time: line.time, message: line.message, cursor: formatCursor(cursor) }),
    );
    if (fresh.length > 0) {
      f.cursor = fresh[fresh.length - 1]!.cursor;
      f.lastLineAt = now;
    }
    if (final || (f.assembler.hasPending && now - f.lastLineAt >= (this.options.quietFlushMs ?? 5_000))) {
      const last = f.assembler.flush();
      if (last) events.push(last);
    }
    if (events.length > 0 && !this.options.store.append(f.group, f.stream, events)) {
      // The group was deleted under a running container: the driver stops there, as Docker's would fail.
      this.done.add(f.key);
      this.followers.delete(f.key);
      return;
    }
    if (final) {
      this.done.add(f.key);
      this.followers.delete(f.key);
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.pass().finally(() => this.schedule());
    }, this.options.pollMs ?? 500);
    this.timer.unref?.();
  }
}
