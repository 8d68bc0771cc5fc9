import type { ContainerInstance, Task, TaskDefinition } from '@baton-ecs/model';
import { type BatonKinds, type Entry, isPreconditionFailure, type Op, type Store } from '@baton-ecs/store';
import type { TaskBehaviour } from './behaviour.js';
import { advanceTask } from './task-lifecycle.js';

/**
 * The simulated container agents of every instance: what a real agent reports about its tasks
 * (lifecycle, exits, health), written to the store the way an agent writes, with compare-and-set on
 * each task's version. Tasks on a disconnected instance do not move: nobody reports them.
 */
export class SimulatedAgents {
  constructor(
    private readonly store: Store<BatonKinds>,
    private readonly behaviourOf: (td: TaskDefinition | undefined) => TaskBehaviour,
  ) {}

  /** One report from every connected agent at `now`: every task that moved, in one commit. Says whether anything moved. */
  async report(
    tasks: Iterable<Entry<Task>>,
    instances: Iterable<Entry<ContainerInstance>>,
    taskDefinition: (arn: string) => TaskDefinition | undefined,
    now: number,
  ): Promise<boolean> {
    const connected = new Set<string>();
    for (const e of instances) if (e.object.agentConnected) connected.add(e.key);
    const ops: Op<BatonKinds>[] = [];
    for (const e of tasks) {
      const task = e.object;
      if (task.lastStatus === 'STOPPED') continue;
      if (task.containerInstanceArn && !connected.has(task.containerInstanceArn)) continue;
      const td = taskDefinition(task.taskDefinitionArn);
      const next = advanceTask(task, td, this.behaviourOf(td), now);
      if (next !== task)
        ops.push({ op: 'update', kind: 'Task', key: e.key, change: next, ifVersion: e.version });
    }
    if (ops.length === 0) return false;
    await this.commitOrRetryEach(ops);
    return true;
  }

  /** An essential container of a running task exits on its own. */
  async exit(task: Entry<Task>, exitCode: number, now: number): Promise<void> {
    await this.store.update('Task', task.key, (t) => {
      t.lastStatus = 'STOPPED';
      t.desiredStatus = 'STOPPED';
      t.stopCode = 'EssentialContainerExited';
      t.stoppedReason = 'Essential container in task exited';
      t.stoppedAt = now;
      for (const c of t.containers) {
        c.lastStatus = 'STOPPED';
        c.exitCode = exitCode;
      }
    });
  }

  /** The agent stops answering (`agentDisconnectedAt` starts the service controller's lost-instance clock), or answers again. */
  async setConnected(instanceArn: string, connected: boolean, now: number): Promise<void> {
    await this.store.update('ContainerInstance', instanceArn, (i) => {
      i.agentConnected = connected;
      if (connected) delete i.agentDisconnectedAt;
      else i.agentDisconnectedAt = now;
    });
  }

  /** One commit for the whole report; when a task moved meanwhile, each task on its own (a lost one waits for the next report). */
  private async commitOrRetryEach(ops: readonly Op<BatonKinds>[]): Promise<void> {
    try {
      await this.store.commit(ops);
    } catch (err) {
      if (!isPreconditionFailure(err)) throw err;
      for (const op of ops) {
        await this.store.commit([op]).catch((e: unknown) => {
          if (!isPreconditionFailure(e)) throw e;
        });
      }
    }
  }
}
