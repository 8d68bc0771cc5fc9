import type { ContainerInstance } from '@baton-ecs/model';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import { BatonApiError } from './errors.js';
import { waitForCache } from './leader/caches.js';
import { checkRequest } from './requests.js';
import type { BatonParts } from './wiring.js';

type MembershipParts = Pick<
  BatonParts,
  'ecs' | 'role' | 'agents' | 'informers' | 'clock' | 'store' | 'defaultCluster'
>;

/**
 * RegisterContainerInstance and DeregisterContainerInstance: an engine joins a cluster through its
 * agent (started here, or campaigned for under leader election) and leaves it when its agent stops.
 */
export class ContainerInstanceMembership {
  constructor(private readonly p: MembershipParts) {}

  /** Adds a Docker engine as a container instance of `cluster` (default: Baton's cluster) and starts its agent. */
  async register(engine: EngineSpec & { readonly cluster?: string }): Promise<ContainerInstance> {
    checkRequest('registerContainerInstance', engine);
    const cluster = engine.cluster ?? this.p.defaultCluster;
    await this.p.ecs.requireCluster(cluster);
    // With leader election the agent runs on whichever replica wins the engine's lock.
    const arn = await this.p.role.addEngine(engine, cluster);
    const entry = await this.p.store.get('ContainerInstance', arn);
    if (entry) return entry.object;
    const registered = await this.waitForInstance(arn, 15_000);
    if (!registered)
      throw new BatonApiError(
        'ServerException',
        `Container instance ${engine.instanceId} did not register within 15 s; is its engine reachable?`,
      );
    return registered;
  }

  /**
   * The instance leaves the cluster (INACTIVE) and its agent stops. Refused while it runs tasks,
   * unless `force` (its tasks are then replaced elsewhere as lost).
   */
  async deregister(request: {
    readonly cluster?: string;
    readonly containerInstance: string;
    readonly force?: boolean;
  }): Promise<ContainerInstance> {
    checkRequest('deregisterContainerInstance', request);
    const { containerInstances } = await this.p.ecs.describeContainerInstances({
      ...(request.cluster ? { cluster: request.cluster } : {}),
      containerInstances: [request.containerInstance],
    });
    const instance = containerInstances[0];
    if (!instance)
      throw new BatonApiError(
        'InvalidParameterException',
        `Container instance not found: ${request.containerInstance}.`,
      );
    if (!request.force && instance.runningTasksCount + instance.pendingTasksCount > 0) {
      throw new BatonApiError(
        'InvalidParameterException',
        `Container instance ${instance.ec2InstanceId} still runs tasks; drain it or pass force.`,
      );
    }
    await this.p.agents.remove(instance.containerInstanceArn);
    return (
      await this.p.store.update('ContainerInstance', instance.containerInstanceArn, (i) => {
        i.status = 'INACTIVE';
        i.agentConnected = false;
      })
    ).object;
  }

  /** The instance record once the instances cache has it (its agent registers it), or undefined after `timeoutMs` on Baton's clock. */
  private async waitForInstance(arn: string, timeoutMs: number): Promise<ContainerInstance | undefined> {
    const { informers, clock } = this.p;
    const instances = informers.instances;
    await waitForCache(instances, () => instances.get(arn) !== undefined, { timeoutMs, clock });
    return instances.get(arn)?.object;
  }
}
