import type { ArnContext, Service, ServiceEvent, Task, TaskDefinition, TaskStopCode } from '@baton-ecs/model';
import type { ClusterSnapshot, ClusterState, RandomSource } from '@baton-ecs/scheduler';
import type { TargetHealth } from './task-health.js';

/** Everything reconcileService reads. It reads nothing else: no clock, no store, no engine. */
export interface ServiceReconcileInput {
  readonly service: Service;
  /** Every task definition the service and its tasks reference, by ARN. */
  readonly taskDefinitions: ReadonlyMap<string, TaskDefinition>;
  /** The service's tasks (group `service:<name>`), including recently STOPPED ones. */
  readonly tasks: readonly Task[];
  /**
   * The whole cluster, for placement: instances, every task on them, their
   * task definitions. Pass a ClusterState to reconcile many services in one
   * pass: each reconcile records its decisions in it (placements, stops), so
   * later services see them, and nothing is rebuilt per service. A snapshot
   * is turned into a private ClusterState.
   */
  readonly cluster: ClusterSnapshot | ClusterState;
  /** Load-balancer target health by task ARN (from the target-group controller). */
  readonly targetHealth?: ReadonlyMap<
    string,
    {
      readonly health: TargetHealth;
      readonly targetGroup: string;
      readonly port?: number;
      /** ELB's reason description of the target's state ("Health checks failed", "Request timed out"). */
      readonly description?: string;
    }
  >;
}

export interface ServiceReconcileContext {
  readonly now: number;
  readonly random: RandomSource;
  readonly arn?: ArnContext;
  /** Baton's lost-instance rule: tasks on an instance disconnected this long are replaced. Default 5 min. */
  readonly instanceLostAfterMs?: number;
  /**
   * At most this many tasks are placed per service per pass (default defaultLaunchBatchSize), as ECS
   * launches a service's tasks in batches: a pass's work stays bounded whatever desiredCount says, and
   * the tasks it creates bring the next pass.
   */
  readonly launchBatchSize?: number;
}

/** A decision to stop one task. */
export interface TaskStop {
  readonly taskArn: string;
  readonly stopCode: TaskStopCode;
  readonly stoppedReason: string;
  /**
   * The task's instance is lost: nobody can stop its containers now, so the
   * task is recorded STOPPED at once (the agent removes the containers if the
   * instance comes back).
   */
  readonly lost?: boolean;
}

/** What one reconcile pass decided, as data. The shell applies it. */
export interface ServicePlan {
  /** The service with its new status: counts, deployments, events, throttle. */
  readonly service: Service;
  /** New Task records, each already placed on a container instance. */
  readonly startTasks: readonly Task[];
  readonly stopTasks: readonly TaskStop[];
  /** Events added this pass (also present in `service.events`). */
  readonly events: readonly ServiceEvent[];
  /**
   * The launch back-off after this pass (also `service.launchThrottle`): state kept with the
   * service, not derived from whichever STOPPED tasks are still retained. Absent when not throttled.
   */
  readonly launchThrottle?: NonNullable<Service['launchThrottle']>;
  /** Run again after this long even if nothing changes (health timers, back-off, lost instances). */
  readonly requeueAfterMs?: number;
}

export const defaultInstanceLostAfterMs = 5 * 60 * 1000;
export const defaultLaunchBatchSize = 500;
