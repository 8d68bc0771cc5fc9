import { createRegistryClient, ImageResolver } from '@baton-ecs/registry-client';
import { type ImagePinner, registryImagePinner } from '@baton-ecs/runtime-docker';
import type { BatonKinds, Store } from '@baton-ecs/store';
import type { BatonOptions } from './baton-options.js';
import type { Clock } from './clock.js';
import { Informer } from './informer.js';
import type { Logger } from './observability.js';

/** One informer per kind Baton's controllers read. */
export interface BatonInformers {
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
  readonly clusters: Informer<BatonKinds, 'Cluster'>;
  readonly scaling: Informer<BatonKinds, 'ScalingConfiguration'>;
  readonly targetGroups: Informer<BatonKinds, 'TargetGroup'>;
}

export function createInformers(store: Store<BatonKinds>, clock: Clock, logger: Logger): BatonInformers {
  const onError = (kind: string) => (error: unknown) =>
    logger({ level: 'warn', msg: 'watch broke; resuming', kind, error: String(error) });
  const informer = <N extends keyof BatonKinds & string>(kind: N) =>
    new Informer(store, kind, clock, onError(kind));
  return {
    services: informer('Service'),
    tasks: informer('Task'),
    instances: informer('ContainerInstance'),
    taskDefinitions: informer('TaskDefinition'),
    clusters: informer('Cluster'),
    scaling: informer('ScalingConfiguration'),
    targetGroups: informer('TargetGroup'),
  };
}

/** The image pinner the options ask for: the user's own, or one over a registry client, or none. */
export function imagePinnerOf(options: BatonOptions): ImagePinner | undefined {
  if (options.images) return options.images;
  if (!options.registry) return undefined;
  const client = createRegistryClient({
    ...(options.registry.credentials ? { credentials: options.registry.credentials } : {}),
    ...(options.registry.insecure !== undefined ? { insecure: options.registry.insecure } : {}),
  });
  return registryImagePinner(new ImageResolver(client), { registries: options.registry.registries });
}
