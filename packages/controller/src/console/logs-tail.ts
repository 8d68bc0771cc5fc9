import { awslogsSettings, awslogsStreamName, type Task, type TaskDefinition } from '@baton-ecs/model';
import type { ContainerEngine } from '@baton-ecs/runtime-docker';
import {
  catchError,
  defer,
  EMPTY,
  exhaustMap,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  timer,
} from 'rxjs';
import { type LineCursor, linesAfter } from '../logs/awslogs-collector.js';
import type { LogsApi } from '../logs/index.js';
import type { LogLineView } from './wire.js';

export interface LogsTailInputs {
  readonly logs: LogsApi;
  readonly taskDefinition: (arn: string) => TaskDefinition | undefined;
  readonly engineOf: (containerInstanceArn: string) => ContainerEngine | undefined;
  /** Lines shown from before the tail starts, per container. Default 100. */
  readonly history?: number;
  /** How often an engine's log is read. Default 1 s. */
  readonly pollMs?: number;
}

/**
 * A task's log lines, the last few then live, for every container: from Baton's awslogs streams
 * (`baton.logs`) when the container logs with awslogs, else from the engine's own log when this
 * Baton runs the instance's agent. A container with neither says so in one line.
 */
export function tailTaskLogs(task: Task, o: LogsTailInputs): Observable<LogLineView> {
  const td = o.taskDefinition(task.taskDefinitionArn);
  const history = o.history ?? 100;
  const tails = task.containers.map((c) => {
    const def = td?.containerDefinitions.find((d) => d.name === c.name);
    const aws = awslogsSettings(def?.logConfiguration);
    if (aws?.group && c.runtimeId) {
      const stream = awslogsStreamName(aws, c.name, task.taskArn, c.runtimeId);
      const line = (t: number, message: string): LogLineView => ({
        t,
        container: c.name,
        stream: 'awslogs',
        line: message,
      });
      const past = defer(() =>
        o.logs.getLogEvents({ logGroupName: aws.group, logStreamName: stream, limit: history }),
      ).pipe(
        mergeEvents((r) => r.events.map((e) => line(e.timestamp, e.message))),
        catchError(() => EMPTY),
      );
      const live = o.logs
        .logs$({ logGroupName: aws.group, logStreamNames: [stream] })
        .pipe(map((e) => line(e.timestamp, e.message)));
      return merge(live, past);
    }
    const engine = task.containerInstanceArn ? o.engineOf(task.containerInstanceArn) : undefined;
    if (engine && c.runtimeId)
      return engineLogLines(engine, c.runtimeId, c.name, {
        tail: history,
        follow: true,
        pollMs: o.pollMs ?? 1_000,
      });
    return of<LogLineView>({
      t: Date.now(),
      container: c.name,
      stream: 'console',
      line: c.runtimeId
        ? `(no log here: ${def?.logConfiguration?.logDriver ?? 'its'} driver, on an engine this Baton does not run)`
        : '(not started: no log yet)',
    });
  });
  return merge(...tails);
}

/**
 * A container's lines from its engine's own log (json-file, local…): those since `sinceMs` (or the
 * last `tail`), then with `follow` new ones as the engine has them, read every `pollMs`, each line
 * once (a cursor of time and count, as the awslogs collector keeps). Without `follow` it completes
 * after one read. Used by the console's log tail and `baton serve`'s engine-logs route.
 */
export function engineLogLines(
  engine: ContainerEngine,
  containerId: string,
  container: string,
  options: {
    readonly sinceMs?: number;
    readonly tail?: number;
    readonly follow: boolean;
    readonly pollMs?: number;
  },
): Observable<LogLineView> {
  let cursor: LineCursor | undefined;
  const first = {
    ...(options.sinceMs !== undefined ? { sinceMs: options.sinceMs } : {}),
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
  };
  const ticks = options.follow ? timer(0, options.pollMs ?? 1_000) : of(0);
  return ticks.pipe(
    exhaustMap(() => {
      const read = from(engine.logs(containerId, cursor ? { sinceMs: cursor.time } : first));
      // Following, a failed read is retried on the next tick; a single read reports it.
      return options.follow ? read.pipe(catchError(() => of([]))) : read;
    }),
    mergeEvents((lines) => {
      const fresh = linesAfter(lines, cursor);
      if (fresh.length > 0) cursor = fresh[fresh.length - 1]!.cursor;
      return fresh.map(({ line }) => ({ t: line.time, container, stream: line.stream, line: line.message }));
    }),
  );
}

/** Each value turned into a list of lines, emitted one by one. */
function mergeEvents<T>(f: (v: T) => LogLineView[]) {
  return (source: Observable<T>): Observable<LogLineView> => source.pipe(mergeMap((v) => from(f(v))));
}
