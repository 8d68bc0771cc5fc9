import type { ContainerSpec } from '@baton-ecs/reconciler';
import type { ContainerEngine, EngineSpec } from '@baton-ecs/runtime-docker';
import type { Clock } from 'baton-ecs';
import type { ContainerBehaviour } from './simulated-container.js';
import { type PullBehaviour, SimulatedEngine } from './simulated-engine.js';
import type { SimulatedInstance } from './simulated-instance.js';

/** The ports ECS reserves on every container instance (22, Docker's and the agent's). */
const ecsReservedPorts = [22, 2375, 2376, 51678, 51679, 51680];

export interface SimulatedHostsOptions {
  readonly clock: Clock;
  /** How a container behaves on the host `instanceId`. */
  readonly containers: (spec: ContainerSpec, instanceId: string) => ContainerBehaviour;
  /** How a pull goes on the host `instanceId`. */
  readonly pulls: (image: string, instanceId: string) => PullBehaviour;
}

/**
 * The simulated cluster's hosts: one SimulatedEngine per container instance, which Baton's own agent
 * drives (createBaton's `agent.engineFor` hands it over), and the registration that makes the engine
 * a container instance, as `baton agent` or `registerContainerInstance` does for a Docker engine.
 */
export class SimulatedHosts {
  private readonly engines = new Map<string, SimulatedEngine>();

  constructor(private readonly o: SimulatedHostsOptions) {}

  /** The engine behind an engine spec (createBaton's `agent.engineFor`). */
  engineFor(spec: EngineSpec): ContainerEngine {
    const engine = this.engines.get(spec.instanceId);
    if (!engine) throw new Error(`no simulated host ${spec.instanceId}`);
    return engine;
  }

  /** A new host: its engine, and the engine spec that registers it. */
  add(instance: SimulatedInstance): EngineSpec {
    if (this.engines.has(instance.id)) throw new Error(`simulated host ${instance.id} exists already`);
    const engine = new SimulatedEngine({
      clock: this.o.clock,
      name: instance.id,
      cpus: (instance.cpu ?? 2048) / 1024,
      memoryBytes: (instance.memory ?? 4096) * 1024 * 1024,
      containers: (spec) => this.o.containers(spec, instance.id),
      pulls: (image) => this.o.pulls(image, instance.id),
    });
    this.engines.set(instance.id, engine);
    return {
      endpoint: engine.endpoint,
      instanceId: instance.id,
      attributes: {
        ...(instance.zone ? { 'ecs.availability-zone': instance.zone } : {}),
        ...(instance.instanceType ? { 'ecs.instance-type': instance.instanceType } : {}),
        ...instance.attributes,
      },
      reservedPorts: ecsReservedPorts,
    };
  }

  engine(instanceId: string): SimulatedEngine {
    const engine = this.engines.get(instanceId);
    if (!engine) throw new Error(`no simulated host ${instanceId}`);
    return engine;
  }

  /** Some engine has an answer on its way (not one waiting on the clock). */
  get busy(): boolean {
    for (const engine of this.engines.values()) if (engine.busy) return true;
    return false;
  }

  /** Every engine reads its containers' behaviour again (after setBehaviour). */
  refresh(): void {
    for (const engine of this.engines.values()) engine.refresh();
  }
}
