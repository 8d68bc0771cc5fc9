import type { Task, TaskDefinition, TaskStopCode } from '@baton-ecs/model';
import { ClusterState, type SchedulerInstance } from '@baton-ecs/scheduler';
import type { ClassifiedTask } from './classify.js';
import { taskIdOf } from './ids.js';
import type { ServiceReconcileContext, ServiceReconcileInput, TaskStop } from './plan.js';
import type { ServiceMessage } from './service-events.js';

/** The decisions of one pass, accumulated while the rules run. */
export class ServicePass {
  readonly stops = new Map<string, TaskStop>();
  readonly starts: Task[] = [];
  readonly messages: (string | ServiceMessage)[] = [];
  /** Short ids of RUNNING tasks stopped this pass, for the "has stopped" event. */
  readonly stoppedRunningIds: string[] = [];

  /** Where placement happens; decisions of this pass are recorded in it. */
  readonly state: ClusterState;

  constructor(
    readonly input: ServiceReconcileInput,
    readonly ctx: ServiceReconcileContext,
    readonly name: string,
  ) {
    this.state =
      input.cluster instanceof ClusterState ? input.cluster : ClusterState.fromSnapshot(input.cluster);
  }

  instance(containerInstanceArn: string | undefined): SchedulerInstance | undefined {
    if (containerInstanceArn === undefined) return undefined;
    const index = this.state.indexOf(containerInstanceArn);
    return index === undefined ? undefined : this.state.record(index).instance;
  }

  /** Whether the instance runs live tasks of groups other than `group`. */
  hasOtherLiveTasks(containerInstanceArn: string, group: string): boolean {
    const index = this.state.indexOf(containerInstanceArn);
    if (index === undefined) return false;
    const r = this.state.record(index);
    return r.runningTasksCount - (r.groups.get(group) ?? 0) > 0;
  }

  stop(c: ClassifiedTask, stopCode: TaskStopCode, stoppedReason: string, lost = false): void {
    if (this.stops.has(c.task.taskArn)) return;
    this.stops.set(c.task.taskArn, {
      taskArn: c.task.taskArn,
      stopCode,
      stoppedReason,
      ...(lost ? { lost } : {}),
    });
    if (c.running) this.stoppedRunningIds.push(taskIdOf(c.task.taskArn));
  }

  stopped(c: ClassifiedTask): boolean {
    return this.stops.size > 0 && this.stops.has(c.task.taskArn);
  }

  /** Adds an event: ECS's wording, and optionally Baton's detail in the event's separate `detail` field. */
  say(message: string, detail?: string): void {
    this.messages.push(detail ? { message, detail } : message);
  }
}

/** The task definition a service's `taskDefinition` field names: an ARN, `family:revision` or `family`. */
export function resolveServiceTaskDefinition(
  ref: string,
  taskDefinitions: ReadonlyMap<string, TaskDefinition>,
): [string, TaskDefinition] | undefined {
  const exact = taskDefinitions.get(ref);
  if (exact) return [ref, exact];
  let best: [string, TaskDefinition] | undefined;
  for (const [arn, td] of taskDefinitions) {
    if (`${td.family}:${td.revision}` === ref) return [arn, td];
    if (
      td.family === ref &&
      td.status === 'ACTIVE' &&
      (!best || (td.revision ?? 0) > (best[1].revision ?? 0))
    ) {
      best = [arn, td];
    }
  }
  return best;
}
