import type { Task } from '@baton-ecs/model';
import type { ContainerEngine } from '@baton-ecs/runtime-docker';
import type { ContainerStatsSample, DockerStats } from '@baton-ecs/scaler';
import { Observable, type Subscription } from 'rxjs';

/**
 * Streams Docker stats for the running containers of a set of tasks: one
 * engine stats stream per container, opened as tasks start and closed as
 * they stop, each sample tagged with its task and container.
 */
export function containerStats(
  tasks: Observable<readonly Task[]>,
  engineOf: (containerInstanceArn: string) => ContainerEngine | undefined,
  onError: (error: unknown) => void = () => {},
): Observable<ContainerStatsSample> {
  return new Observable<ContainerStatsSample>((subscriber) => {
    const streams = new Map<string, Subscription>();
    const sync = (current: readonly Task[]) => {
      const wanted = new Map<string, { task: Task; containerName: string; runtimeId: string }>();
      for (const task of current) {
        if (task.lastStatus !== 'RUNNING' || !task.containerInstanceArn) continue;
        for (const c of task.containers) {
          if (c.runtimeId && c.lastStatus === 'RUNNING')
            wanted.set(c.runtimeId, { task, containerName: c.name, runtimeId: c.runtimeId });
        }
      }
      for (const [id, s] of streams) {
        if (!wanted.has(id)) {
          s.unsubscribe();
          streams.delete(id);
        }
      }
      for (const [id, w] of wanted) {
        if (streams.has(id)) continue;
        const engine = engineOf(w.task.containerInstanceArn!);
        if (!engine) continue;
        streams.set(
          id,
          engine.stats(id).subscribe({
            next: (stats) =>
              subscriber.next({
                taskArn: w.task.taskArn,
                containerName: w.containerName,
                stats: stats as DockerStats,
              }),
            // A container that stopped ends its stream; the next task change re-syncs.
            error: (err: unknown) => {
              streams.delete(id);
              onError(err);
            },
            complete: () => streams.delete(id),
          }),
        );
      }
    };
    const sub = tasks.subscribe({ next: sync, error: (e: unknown) => subscriber.error(e) });
    return () => {
      sub.unsubscribe();
      for (const s of streams.values()) s.unsubscribe();
      streams.clear();
    };
  });
}
