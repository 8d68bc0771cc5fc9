import type { AgentSettings } from '@baton-ecs/reconciler';
import type { AgentStore } from './agent-store.js';
import type { EngineConnection } from './endpoint.js';
import { InstanceAgent, type InstanceAgentOptions } from './instance-agent.js';

/** One engine of a runtime: its endpoint, Baton's id for it, and user attributes (zone, type…). */
export interface EngineSpec extends EngineConnection {
  readonly endpoint: string;
  readonly instanceId: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly reservedMemoryMiB?: number;
  readonly reservedPorts?: readonly number[];
  readonly gpus?: number;
  /** The CIDR this engine's awsvpc subnet networks take their /24s from (engines sharing a host need distinct pools). */
  readonly taskNetworkPool?: string;
}

export interface DockerRuntimeOptions
  extends Omit<
    InstanceAgentOptions,
    | 'endpoint'
    | 'instanceId'
    | 'attributes'
    | 'reservedMemoryMiB'
    | 'reservedPorts'
    | 'gpus'
    | 'tls'
    | 'ssh'
    | 'allowInsecure'
    | 'taskNetworkPool'
  > {
  readonly store: AgentStore;
  readonly cluster: string;
  readonly engines: readonly EngineSpec[];
  readonly settings?: Partial<AgentSettings>;
}

/** Many engines, one container instance and one agent each, sharing a store. */
export class DockerRuntime {
  readonly agents: readonly InstanceAgent[];

  constructor(options: DockerRuntimeOptions) {
    const { engines, ...shared } = options;
    this.agents = engines.map((e) => new InstanceAgent({ ...shared, ...e }));
  }

  async start(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.start()));
  }

  async stop(options?: { readonly waitForActions?: boolean }): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop(options)));
  }

  agent(containerInstanceArn: string): InstanceAgent | undefined {
    return this.agents.find((a) => a.containerInstanceArn === containerInstanceArn);
  }
}
