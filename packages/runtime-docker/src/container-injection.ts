import type { KeyValuePair } from '@baton-ecs/model';
import type { ContainerRef, ContainerSpec, CreateContainerAction } from '@baton-ecs/reconciler';
import type { ContainerEngine } from './container-engine.js';

/**
 * What the runtime adds to a container just before creating it: resolved
 * secrets, environment files, the metadata endpoint's URIs. Lives only in the
 * create request; never in the agent's spec, its actions, logs or the store.
 */
export interface ContainerInjection {
  /** Lowest precedence: yield to the definition's own `environment` (environment files, AWS_REGION). */
  readonly defaults?: readonly KeyValuePair[];
  /** Highest precedence: replace variables of the same name (secrets, metadata URIs). */
  readonly overrides?: readonly KeyValuePair[];
}

/**
 * The embedding side's hook into container creation (Baton's controller
 * supplies one). A failure it cannot recover from throws `InjectionError`,
 * whose message becomes the task's stopped reason — so it names references,
 * never values.
 */
export interface ContainerInjector {
  forCreate(action: CreateContainerAction, engine: ContainerEngine): Promise<ContainerInjection>;
  /** Registry credentials for the image pull of these containers (`repositoryCredentials`), if any. */
  pullAuth?(refs: readonly ContainerRef[], image: string): Promise<object | undefined>;
}

/** A container cannot be prepared: the task fails with `message` as its stopped reason. */
export class InjectionError extends Error {
  override readonly name = 'InjectionError';
}

/** The spec with the injection merged as ECS's agent merges it: defaults < definition < overrides. */
export function withInjection(spec: ContainerSpec, injection: ContainerInjection): ContainerSpec {
  const overrides = injection.overrides ?? [];
  const replaced = new Set(overrides.map((v) => v.name));
  const own = spec.environment.filter((v) => !replaced.has(v.name));
  const present = new Set([...own.map((v) => v.name), ...replaced]);
  const defaults = (injection.defaults ?? []).filter((v) => !present.has(v.name));
  return { ...spec, environment: [...defaults, ...own, ...overrides] };
}
