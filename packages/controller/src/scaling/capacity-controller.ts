import type { Logger } from '@baton-ecs/loop';
import { type Clock, clockScheduler, systemClock } from '@baton-ecs/loop';
import { clusterNameOf, type TaskDefinition } from '@baton-ecs/model';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import {
  type CapacityProvider,
  type CapacitySnapshot,
  createCapacityScaler,
  type InstanceScalingDecision,
  type InstanceTemplate,
} from '@baton-ecs/scaler';
import type { PlacementRequest } from '@baton-ecs/scheduler';
import type { BatonKinds } from '@baton-ecs/store';
import { auditTime, merge, Observable, type Subscription } from 'rxjs';
import type { Informer } from '../informer.js';

/**
 * Where a capacity provider's engines come from (ECS: an EC2 Auto Scaling
 * group). Baton registers each launched engine as a container instance and
 * runs its agent; it deregisters an engine it picked (empty) before asking
 * for it to be terminated.
 */
export interface EngineProvider {
  /** What one new engine registers (CPU, MEMORY, attributes): what pending tasks are packed into. */
  instanceTemplate(): InstanceTemplate;
  launchEngines(count: number): Promise<readonly EngineSpec[]>;
  terminateEngines(
    engines: readonly { readonly containerInstanceArn: string; readonly instanceId: string }[],
  ): Promise<void>;
}

export interface CapacityControllerOptions {
  readonly cluster: string;
  readonly provider: CapacityProvider;
  readonly engines: EngineProvider;
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinition: (arn: string) => TaskDefinition | undefined;
  /** Registers a launched engine; resolves with its container instance ARN. */
  readonly register: (engine: EngineSpec) => Promise<string>;
  readonly deregister: (containerInstanceArn: string) => Promise<{ instanceId: string } | undefined>;
  readonly logger: Logger;
  /** Baton's clock: the evaluation ticks and the snapshot debounce run on it. Default: the system clock. */
  readonly clock?: Clock;
  /** Evaluation interval; ECS publishes CapacityProviderReservation every minute. */
  readonly intervalMs?: number;
  /** Consecutive evaluations wanting fewer instances before a scale-in. Default 15. */
  readonly scaleInEvaluations?: number;
}

/**
 * ECS managed scaling for one cluster: M (instances needed, by packing what
 * the services lack into the template) over N (instances there are) is
 * kept at the provider's target capacity by launching and terminating
 * engines through the EngineProvider.
 */
export class CapacityController {
  private subscription: Subscription | undefined;
  private launching = 0;
  /** Engines this provider launched: the only ones it terminates. */
  private readonly launched = new Set<string>();
  readonly decisions: InstanceScalingDecision[] = [];

  constructor(private readonly o: CapacityControllerOptions) {}

  start(): void {
    const scheduler = clockScheduler(this.o.clock ?? systemClock);
    const snapshots = new Observable<CapacitySnapshot>((subscriber) => {
      const emit = () => subscriber.next(this.snapshot());
      emit();
      return merge(this.o.services.changes, this.o.tasks.changes, this.o.instances.changes)
        .pipe(auditTime(100, scheduler))
        .subscribe(emit);
    });
    this.subscription = createCapacityScaler({
      snapshots,
      provider: this.o.provider,
      scheduler,
      ...(this.o.intervalMs !== undefined ? { intervalMs: this.o.intervalMs } : {}),
      ...(this.o.scaleInEvaluations !== undefined ? { scaleInEvaluations: this.o.scaleInEvaluations } : {}),
    }).subscribe((decision) => void this.act(decision));
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  /** What the cluster's services lack, as placement requests, and what is there. */
  private snapshot(): CapacitySnapshot {
    const instances = [...this.o.instances.values()]
      .map((e) => e.object)
      .filter((i) => clusterNameOf(i.containerInstanceArn) === this.o.cluster && i.status !== 'INACTIVE');
    const tasks = [...this.o.tasks.values()]
      .map((e) => e.object)
      .filter((t) => clusterNameOf(t.clusterArn) === this.o.cluster);
    const pending: PlacementRequest[] = [];
    const daemonGroups = new Set<string>();
    for (const { object: s } of this.o.services.values()) {
      if (s.cluster !== this.o.cluster || s.status !== 'ACTIVE') continue;
      const group = `service:${s.serviceName}`;
      if (s.schedulingStrategy === 'DAEMON') {
        daemonGroups.add(group);
        continue;
      }
      const live = tasks.filter(
        (t) => t.group === group && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED',
      ).length;
      const td = this.o.taskDefinition(s.taskDefinition);
      const lacking = (s.desiredCount ?? 0) - live;
      if (td && lacking > 0) {
        pending.push({
          taskDefinition: td,
          count: lacking,
          group,
          placementConstraints: s.placementConstraints,
          placementStrategy: s.placementStrategy,
        });
      }
    }
    return {
      instances,
      tasks,
      taskDefinitions: (arn) => this.o.taskDefinition(arn),
      pending,
      template: this.o.engines.instanceTemplate(),
      daemonGroups,
      launching: this.launching,
    };
  }

  private async act(decision: InstanceScalingDecision): Promise<void> {
    this.decisions.unshift(decision);
    this.decisions.splice(50);
    this.o.logger({
      level: 'info',
      msg: 'capacity decision',
      cluster: this.o.cluster,
      decision: decision.message,
    });
    const action = decision.action;
    try {
      if (action.type === 'launch') {
        this.launching += action.count;
        try {
          const engines = await this.o.engines.launchEngines(action.count);
          for (const engine of engines) this.launched.add(await this.o.register(engine));
        } finally {
          this.launching -= action.count;
        }
      } else if (action.type === 'terminate') {
        const gone: { containerInstanceArn: string; instanceId: string }[] = [];
        for (const arn of action.containerInstanceArns) {
          if (!this.launched.has(arn)) continue; // capacity it did not launch is not its to remove
          this.launched.delete(arn);
          const deregistered = await this.o.deregister(arn);
          if (deregistered) gone.push({ containerInstanceArn: arn, instanceId: deregistered.instanceId });
        }
        if (gone.length > 0) await this.o.engines.terminateEngines(gone);
      }
    } catch (error) {
      this.o.logger({
        level: 'warn',
        msg: 'capacity action failed',
        cluster: this.o.cluster,
        error: String(error),
      });
    }
  }
}
