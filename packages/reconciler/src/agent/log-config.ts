import type { ContainerDefinition, LogConfiguration } from '@baton-ecs/model';
import { taskIdOf } from './labels.js';
import type { ContainerMountSpec } from './types.js';

/** Docker's HostConfig.LogConfig: a driver and its options. */
export interface ContainerLogConfig {
  readonly type: string;
  readonly config: Readonly<Record<string, string>>;
}

/** What the engine needs to carry out a container's logConfiguration and firelensConfiguration. */
export interface ContainerLogSpec {
  readonly logConfig?: ContainerLogConfig;
  /** Bind mounts for log routing: the FireLens router's socket directory. */
  readonly mounts?: readonly ContainerMountSpec[];
}

/**
 * How an awslogs container logs on the engine: to json-file, which Baton reads back into its own
 * log streams. Rotation bounds what the engine keeps (Baton keeps the streams).
 */
export const awslogsEngineDriver: ContainerLogConfig = {
  type: 'json-file',
  config: { 'max-size': '10m', 'max-file': '3' },
};

/** Docker's generic options, valid with every driver: how a slow driver treats the container's writes. */
const deliveryOptions = ['mode', 'max-buffer-size'] as const;

/** FireLens's layout, as ECS's agent lays it out under its data directory: one directory per task. */
export function firelensTaskDir(firelensDir: string, taskArn: string): string {
  return `${firelensDir.replace(/\/+$/, '')}/${taskIdOf(taskArn)}`;
}

/** The Fluentd tag ECS gives a container's records: `<container>-firelens-<task-id>`. */
export function firelensTag(containerName: string, taskArn: string): string {
  return `${containerName}-firelens-${taskIdOf(taskArn)}`;
}

/**
 * The engine side of a container's logging. Docker drivers pass through with their options;
 * `awslogs` runs on json-file (Baton collects it); `awsfirelens` becomes Docker's fluentd driver
 * pointed at the task's router socket with ECS's tag; the router itself gets the socket directory
 * bound at /var/run, where it listens on fluent.sock.
 */
export function containerLogSpec(
  taskArn: string,
  def: Pick<ContainerDefinition, 'name' | 'logConfiguration' | 'firelensConfiguration'>,
  firelensDir: string,
): ContainerLogSpec {
  const taskDir = firelensTaskDir(firelensDir, taskArn);
  const mounts: ContainerMountSpec[] | undefined = def.firelensConfiguration
    ? [{ type: 'bind', source: `${taskDir}/socket`, target: '/var/run', readOnly: false }]
    : undefined;
  const logConfig = engineLogConfig(taskArn, def.name, def.logConfiguration, taskDir);
  return { ...(logConfig ? { logConfig } : {}), ...(mounts ? { mounts } : {}) };
}

function engineLogConfig(
  taskArn: string,
  containerName: string,
  lc: LogConfiguration | undefined,
  taskDir: string,
): ContainerLogConfig | undefined {
  if (!lc) return undefined;
  const options = lc.options ?? {};
  const delivery = Object.fromEntries(
    deliveryOptions.flatMap((k) => (options[k] !== undefined ? [[k, options[k]]] : [])),
  );
  switch (lc.logDriver) {
    case 'awslogs':
      return { type: awslogsEngineDriver.type, config: { ...awslogsEngineDriver.config, ...delivery } };
    case 'awsfirelens': {
      // The other options configure the router's outputs, not Docker's driver (as on ECS).
      const bufferLimit = options['log-driver-buffer-limit'];
      return {
        type: 'fluentd',
        config: {
          'fluentd-address': `unix://${taskDir}/socket/fluent.sock`,
          tag: firelensTag(containerName, taskArn),
          'fluentd-async': 'true',
          'fluentd-sub-second-precision': 'true',
          ...(bufferLimit !== undefined ? { 'fluentd-buffer-limit': bufferLimit } : {}),
          ...delivery,
        },
      };
    }
    default:
      return { type: lc.logDriver, config: { ...options } };
  }
}

/**
 * ECS starts a task's log router before the containers that log through it, and stops it after
 * them: each awsfirelens container gets an implicit START dependency on the router.
 */
export function withLogRouterOrder(defs: readonly ContainerDefinition[]): ContainerDefinition[] {
  const router = defs.find((d) => d.firelensConfiguration !== undefined);
  if (!router) return [...defs];
  return defs.map((d) =>
    d.logConfiguration?.logDriver !== 'awsfirelens' ||
    d.name === router.name ||
    d.dependsOn?.some((dep) => dep.containerName === router.name)
      ? d
      : { ...d, dependsOn: [...(d.dependsOn ?? []), { containerName: router.name, condition: 'START' }] },
  );
}
