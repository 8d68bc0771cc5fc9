import { type ContainerInstance, clusterNameOf, type Task, type TaskDefinition } from '@baton-ecs/model';
import { ClusterState } from '@baton-ecs/scheduler';
import type { BatonKinds } from '@baton-ecs/store';
import type { Subscription } from 'rxjs';
import type { Informer } from './informer.js';

/** What a plan placed and has not seen land yet; forget it if its commit fails. */
export interface Assumption {
  readonly cluster: string;
  readonly taskArns: readonly string[];
}

export interface ClusterStatesOptions {
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
}

/**
 * The one owner of the scheduler's view of each cluster (free resources, ports, group spread), fed
 * by the informers. Placement follows kube-scheduler's cache protocol:
 *
 * - **assume** — a plan reserves its placements in the state as it plans (so the next plan, of any
 *   service or RunTask, sees them) and names them with `assume` before committing;
 * - **confirm** — when the informer sees a task it assumed, the informer's copy replaces the
 *   assumption (it is now the truth);
 * - **forget** — when the commit fails, each placement not confirmed is dropped (or replaced by the
 *   informer's copy, should the write have landed after all).
 *
 * Nothing else writes the states, so several service-controller workers and RunTask can plan at
 * once: every plan is computed synchronously against the same state.
 */
export class ClusterStates {
  /** Task definitions by ARN: what the scheduler and the reconciler look reservations up in. */
  readonly taskDefinitions = new Map<string, TaskDefinition>();
  private readonly clusters = new Map<string, ClusterState>();
  /** Placements planned and not yet seen by the informer. */
  private readonly assumed = new Set<string>();
  private readonly subscriptions: Subscription[] = [];

  constructor(private readonly o: ClusterStatesOptions) {
    for (const e of o.taskDefinitions.values()) this.taskDefinitions.set(e.key, e.object);
    this.subscriptions.push(
      o.taskDefinitions.changes.subscribe((c) => {
        if (c.previous?.object.taskDefinitionArn)
          this.taskDefinitions.delete(c.previous.object.taskDefinitionArn);
        if (c.object?.object.taskDefinitionArn)
          this.taskDefinitions.set(c.object.object.taskDefinitionArn, c.object.object);
      }),
      o.instances.changes.subscribe((c) => {
        if (!c.object) return;
        this.state(clusterNameOf(c.object.object.containerInstanceArn)).upsertInstance(c.object.object);
      }),
      o.tasks.changes.subscribe((c) => {
        const task = (c.object ?? c.previous)!.object;
        const state = this.state(clusterNameOf(task.clusterArn));
        // Confirmation: the informer's copy is the truth from now on.
        this.assumed.delete(c.key);
        if (c.object) state.upsertTask(c.object.object);
        else state.removeTask(c.key);
      }),
    );
  }

  /** The cluster's state (created from the instances cache on first use). */
  state(cluster: string): ClusterState {
    let state = this.clusters.get(cluster);
    if (!state) {
      state = new ClusterState((arn) => this.taskDefinitions.get(arn));
      for (const i of this.o.instances.values()) {
        if (clusterNameOf(i.object.containerInstanceArn) === cluster) state.upsertInstance(i.object);
      }
      for (const t of this.o.tasks.values()) {
        if (clusterNameOf(t.object.clusterArn) === cluster) state.upsertTask(t.object);
      }
      this.clusters.set(cluster, state);
    }
    return state;
  }

  /**
   * A service's tasks (STOPPED ones included) as the cluster's state holds them: the same array until
   * one of them changes, which lets reconcileService see a service at rest from the state's counts
   * without reading each task (steadyPlan). The informers give the states Task records only.
   */
  serviceTasks(cluster: string, serviceName: string): readonly Task[] {
    return (this.state(cluster).groupTasks(`service:${serviceName}`)?.all ?? noTasks) as readonly Task[];
  }

  /** Names the placements a plan just reserved, before its commit. */
  assume(cluster: string, started: readonly Pick<Task, 'taskArn'>[]): Assumption {
    const taskArns = started.map((t) => t.taskArn).filter((arn) => !this.o.tasks.get(arn));
    for (const arn of taskArns) this.assumed.add(arn);
    return { cluster, taskArns };
  }

  /** The commit failed: placements not confirmed meanwhile go back to what the informer says. */
  forget(assumption: Assumption): void {
    const state = this.state(assumption.cluster);
    for (const arn of assumption.taskArns) {
      if (!this.assumed.delete(arn)) continue; // confirmed: the informer saw it land
      const seen = this.o.tasks.get(arn);
      if (seen) state.upsertTask(seen.object);
      else state.removeTask(arn);
    }
  }

  /** Placements assumed and neither confirmed nor forgotten (for tests and diagnostics). */
  get pending(): number {
    return this.assumed.size;
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
  }
}

const noTasks: readonly Task[] = Object.freeze([]);

export type { ContainerInstance };
