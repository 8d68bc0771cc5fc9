import type { Attribute, InstanceResource } from '@baton-ecs/model';

/** What one new instance would register: the shape capacity estimates pack pending tasks into. */
export interface InstanceTemplate {
  readonly registeredResources: readonly InstanceResource[];
  readonly attributes?: readonly Attribute[];
}

/**
 * Where a capacity provider's instances come from: ECS uses an EC2 Auto
 * Scaling group; in Baton you implement this to add or remove Docker
 * engines (start a VM, a dockerd on another socket, …). The scaler only
 * decides; the controller calls these with its decisions. A launched engine
 * registers itself as a container instance like any other; a terminated one
 * is empty (no non-daemon tasks) when the scaler picks it.
 */
export interface InstanceProvider {
  /** The capacity provider's name. */
  readonly name: string;
  /** What one new instance registers (CPU, MEMORY, PORTS, attributes). */
  instanceTemplate(): InstanceTemplate;
  /** Starts `count` engines; resolves with ids the caller can follow until they register. */
  launchInstances(count: number): Promise<readonly string[]>;
  /** Stops the engines behind these container instances and deregisters them. */
  terminateInstances(containerInstanceArns: readonly string[]): Promise<void>;
}
