import {
  awslogsSettings,
  type ContainerDefinition,
  type KeyValuePair,
  type TaskDefinition,
} from '@baton-ecs/model';
import type { ContainerRef, CreateContainerAction } from '@baton-ecs/reconciler';
import {
  type ContainerEngine,
  type ContainerInjection,
  type ContainerInjector,
  InjectionError,
} from '@baton-ecs/runtime-docker';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { SecretResolutionError, type SecretResolver } from './resolver.js';

/** Per-container variables from another source (the task metadata endpoint). */
export interface ContainerEnvironmentSource {
  environment(
    action: CreateContainerAction,
    networkMode: TaskDefinition['networkMode'],
    engine: ContainerEngine,
  ): Promise<readonly KeyValuePair[]>;
}

export interface BatonInjectorOptions {
  readonly store: Store<BatonKinds>;
  readonly resolver: SecretResolver;
  /** AWS_REGION and AWS_DEFAULT_REGION, as ECS's agent sets them. */
  readonly region: string;
  readonly metadata?: ContainerEnvironmentSource;
  /** Whether Baton keeps an awslogs log group of that name (baton.logs). */
  readonly logGroupExists?: (group: string) => Promise<boolean>;
}

/**
 * The stopped reason of a container whose awslogs group does not exist and may not be created
 * (`awslogs-create-group` not "true"): the error ECS reports from Docker's awslogs driver.
 */
export function missingLogGroupReason(): string {
  return 'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.';
}

/**
 * Baton's ContainerInjector: resolves a container's secrets and environment
 * files, adds the agent's usual variables and the metadata endpoint's URIs,
 * and finds registry logins for pulls. It reads the task definition itself, so
 * the agent's specs and actions carry references only.
 */
export class BatonInjector implements ContainerInjector {
  constructor(private readonly options: BatonInjectorOptions) {}

  async forCreate(action: CreateContainerAction, engine: ContainerEngine): Promise<ContainerInjection> {
    const found = await this.definition(action);
    const region = this.options.region;
    const defaults: KeyValuePair[] = [
      { name: 'AWS_REGION', value: region },
      { name: 'AWS_DEFAULT_REGION', value: region },
      { name: 'AWS_EXECUTION_ENV', value: 'AWS_ECS_EC2' },
    ];
    const overrides: KeyValuePair[] = [];
    if (found) {
      await this.requireLogGroup(found.def);
      const env = await this.resolving(() => this.options.resolver.environment(found.def, action.taskArn));
      defaults.unshift(...env.defaults);
      overrides.push(...env.overrides);
      if (this.options.metadata)
        overrides.push(...(await this.options.metadata.environment(action, found.td.networkMode, engine)));
    }
    return { defaults, overrides };
  }

  /** awslogs: the group must exist unless the container may create it, as the awslogs driver requires. */
  private async requireLogGroup(def: ContainerDefinition): Promise<void> {
    const settings = awslogsSettings(def.logConfiguration);
    if (!settings || settings.createGroup || !this.options.logGroupExists) return;
    if (!(await this.options.logGroupExists(settings.group)))
      throw new InjectionError(missingLogGroupReason());
  }

  async pullAuth(refs: readonly ContainerRef[], image: string): Promise<object | undefined> {
    for (const ref of refs) {
      const found = await this.definition(ref);
      if (!found?.def.repositoryCredentials) continue;
      const auth = await this.resolving(() => this.options.resolver.registryAuth(found.def, ref.taskArn));
      if (auth) return { ...auth, serveraddress: registryOf(image) };
    }
    return undefined;
  }

  private async resolving<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SecretResolutionError) throw new InjectionError(err.message);
      throw err;
    }
  }

  private async definition(
    ref: ContainerRef,
  ): Promise<{ readonly td: TaskDefinition; readonly def: ContainerDefinition } | undefined> {
    const task = await this.options.store.get('Task', ref.taskArn);
    if (!task) return undefined;
    const td = await this.options.store.get('TaskDefinition', task.object.taskDefinitionArn);
    const def = td?.object.containerDefinitions.find((c) => c.name === ref.containerName);
    return td && def ? { td: td.object, def } : undefined;
  }
}

/** The registry host of an image reference (Docker Hub when the first part is not a host). */
function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'https://index.docker.io/v1/';
}
