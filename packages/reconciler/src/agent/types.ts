import type { Container, KeyValuePair, Task, TaskDefinition, TransportProtocol } from '@baton-ecs/model';
import type { ContainerLogConfig } from './log-config.js';

/** A container's state as the engine reports it (Docker's `State.Status`). */
export type ObservedState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** Docker's health: `none` when the container has no health check. */
export type ObservedHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

/** A port the engine actually published. */
export interface ObservedPortBinding {
  readonly containerPort: number;
  readonly protocol: TransportProtocol;
  readonly hostIp: string;
  readonly hostPort: number;
}

/** The runtime's normalised view of one engine container. Times are epoch ms. */
export interface ObservedContainer {
  /** The engine's container id. */
  readonly id: string;
  /** The engine's container name, without Docker's leading `/`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The image reference the container was created from. */
  readonly image: string;
  readonly imageId?: string;
  readonly state: ObservedState;
  readonly exitCode?: number;
  /** The latest start; undefined when the container never started. */
  readonly startedAt?: number;
  /** The latest exit; undefined when it never exited. */
  readonly finishedAt?: number;
  readonly health: ObservedHealth;
  readonly oomKilled?: boolean;
  /** The engine's last error for this container (a failed start), when there is one. */
  readonly error?: string;
  readonly portBindings: readonly ObservedPortBinding[];
  /** The user-defined networks the container is attached to, with its address on each. */
  readonly networks?: readonly ObservedNetworkAttachment[];
}

/** A container's attachment to an engine network (Docker's NetworkSettings.Networks). */
export interface ObservedNetworkAttachment {
  readonly name: string;
  readonly ipAddress: string;
  readonly macAddress: string;
  readonly gateway?: string;
  readonly prefixLength?: number;
}

/** A Docker volume as the engine reports it. */
export interface ObservedVolume {
  readonly name: string;
  readonly driver: string;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** A Docker volume to create. */
export interface VolumeSpec {
  readonly name: string;
  readonly driver: string;
  readonly driverOpts: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** A mount of a container: a host path (`bind`) or a named Docker volume (`volume`). */
export interface ContainerMountSpec {
  readonly type: 'bind' | 'volume';
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** Which container of which task an action or outcome is about. */
export interface ContainerRef {
  readonly taskArn: string;
  readonly containerName: string;
}

/** A Docker HEALTHCHECK in seconds (fractions allowed; the runtime converts to the engine's units). */
export interface ContainerHealthCheckSpec {
  readonly command: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly startPeriodSeconds: number;
}

export interface ContainerPortSpec {
  readonly containerPort: number;
  /** 0 asks the engine for a dynamic host port. */
  readonly hostPort: number;
  readonly protocol: TransportProtocol;
}

/** Linux settings of a container (`linuxParameters`, `systemControls`, `dockerSecurityOptions`). */
export interface ContainerLinuxSpec {
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** Docker's init process as PID 1 (reaps zombies, forwards signals). */
  readonly init?: boolean;
  readonly devices?: readonly {
    readonly hostPath: string;
    readonly containerPath: string;
    /** Docker's cgroup permissions: some of `r`, `w`, `m`. */
    readonly permissions: string;
  }[];
  /** tmpfs mounts; `options` in mount(8) form, starting with `size=<n>m`. */
  readonly tmpfs?: readonly { readonly containerPath: string; readonly options: string }[];
  readonly shmSizeMiB?: number;
  /** Swap beyond the memory limit, MiB (0: none). */
  readonly maxSwapMiB?: number;
  readonly swappiness?: number;
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly securityOptions?: readonly string[];
}

/**
 * Everything the runtime needs to create one container, engine-neutral: the task definition's
 * container with the task's overrides applied, plus Baton's labels.
 */
export interface ContainerSpec extends ContainerLinuxSpec {
  /** Docker's log driver and options (HostConfig.LogConfig); absent: the engine's default (log-config.ts). */
  readonly logConfig?: ContainerLogConfig;
  /** The engine container name: deterministic, so a create can never be duplicated. */
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly entryPoint?: readonly string[];
  readonly environment: readonly KeyValuePair[];
  readonly workingDirectory?: string;
  readonly user?: string;
  readonly hostname?: string;
  /** CPU shares (ECS `cpu` units; at least 2, as ECS's agent does). */
  readonly cpuShares: number;
  /** Hard limit, MiB. */
  readonly memoryMiB?: number;
  /** Soft limit, MiB. */
  readonly memoryReservationMiB?: number;
  /** CPU quota (the task's `cpu`, split among its containers). */
  readonly cpus?: number;
  /** GPUs the container needs (`resourceRequirements`). */
  readonly gpus?: number;
  readonly networkMode: 'bridge' | 'host' | 'none';
  /**
   * A Baton-managed network to attach the container to instead of the engine's bridge (an awsvpc
   * task's pause container, on its subnet's network); the runtime creates it when missing.
   */
  readonly network?: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  /** Join this container's network namespace (engine name): an awsvpc task's containers join its pause container. */
  readonly joinNetworkOf?: string;
  readonly portMappings: readonly ContainerPortSpec[];
  readonly healthCheck?: ContainerHealthCheckSpec;
  readonly labels: Readonly<Record<string, string>>;
  readonly stopTimeoutSeconds: number;
  readonly privileged?: boolean;
  readonly readonlyRootFilesystem?: boolean;
  readonly disableNetworking?: boolean;
  readonly interactive?: boolean;
  readonly pseudoTerminal?: boolean;
  readonly ulimits?: readonly {
    readonly name: string;
    readonly softLimit: number;
    readonly hardLimit: number;
  }[];
  readonly extraHosts?: readonly { readonly hostname: string; readonly ipAddress: string }[];
  readonly dnsServers?: readonly string[];
  readonly dnsSearchDomains?: readonly string[];
  /** Bridge mode: Docker links to other containers of the task (engine name, and the alias it is known by). */
  readonly links?: readonly { readonly container: string; readonly alias: string }[];
  /** The task's `pidMode`: `host`, or `container:<pause>` for `task` (shared among the task's containers). */
  readonly pidMode?: 'host' | `container:${string}`;
  /** The task's `ipcMode`: `host`, `none`, `shareable` (the pause container of a `task` mode) or `container:<pause>`. */
  readonly ipcMode?: 'host' | 'none' | 'shareable' | `container:${string}`;
  /** Bind mounts and Docker volumes, from the container's mountPoints. */
  readonly mounts?: readonly ContainerMountSpec[];
  /** Engine names of the containers whose volumes this one mounts too (Docker's VolumesFrom). */
  readonly volumesFrom?: readonly { readonly container: string; readonly readOnly: boolean }[];
}

/** Pull an image once for every container that waits for it. */
export interface PullImageAction {
  readonly type: 'PullImage';
  readonly image: string;
  readonly for: readonly ContainerRef[];
}

export interface CreateContainerAction extends ContainerRef {
  readonly type: 'CreateContainer';
  readonly spec: ContainerSpec;
}

export interface StartContainerAction extends ContainerRef {
  readonly type: 'StartContainer';
  readonly containerId: string;
  /** A restart in place under the container's restartPolicy. */
  readonly restart: boolean;
}

export type StopReason = 'task-stopping' | 'task-stopped' | 'orphan' | 'duplicate';

/** SIGTERM, then SIGKILL after `timeoutSeconds` (Docker's stop). */
export interface StopContainerAction {
  readonly type: 'StopContainer';
  readonly containerId: string;
  readonly timeoutSeconds: number;
  readonly reason: StopReason;
  readonly taskArn?: string;
  readonly containerName?: string;
}

export type RemoveReason = 'retention' | 'orphan' | 'duplicate';

export interface RemoveContainerAction {
  readonly type: 'RemoveContainer';
  readonly containerId: string;
  readonly reason: RemoveReason;
  readonly taskArn?: string;
  readonly containerName?: string;
}

/** Creates a Docker volume for a task (task-scoped, or a shared volume with autoprovision). */
export interface CreateVolumeAction {
  readonly type: 'CreateVolume';
  readonly taskArn: string;
  /** The volume's name in the task definition. */
  readonly volumeName: string;
  readonly spec: VolumeSpec;
}

/** Removes a task-scoped volume once its task's containers are gone. */
export interface RemoveVolumeAction {
  readonly type: 'RemoveVolume';
  /** The engine's volume name. */
  readonly name: string;
  readonly taskArn?: string;
}

export type ContainerAction =
  | CreateVolumeAction
  | RemoveVolumeAction
  | PullImageAction
  | CreateContainerAction
  | StartContainerAction
  | StopContainerAction
  | RemoveContainerAction;

export type ContainerActionType = ContainerAction['type'];

/**
 * What became of an action the runtime ran for a task's container. The agent reads these to turn a
 * failed pull, create or start into the task's stoppedReason; the runtime keeps them only until the
 * task's status has been written.
 */
export interface ActionOutcome extends ContainerRef {
  /** For `CreateVolume`, `containerName` holds the volume's name in the task definition. */
  readonly action: 'PullImage' | 'CreateContainer' | 'StartContainer' | 'CreateVolume';
  readonly ok: boolean;
  /** Epoch ms when the action finished. */
  readonly at: number;
  /** The engine's error, when `ok` is false. */
  readonly message?: string;
  /**
   * The task's whole stopped reason, when the failure is the runtime's own rather than the engine's
   * (secrets or registry credentials it could not resolve: ECS's `ResourceInitializationError: …`).
   */
  readonly reason?: string;
}

/** The fields of a Task the agent writes. */
export type TaskStatusChanges = Partial<
  Pick<
    Task,
    | 'lastStatus'
    | 'desiredStatus'
    | 'healthStatus'
    | 'containers'
    | 'stopCode'
    | 'stoppedReason'
    | 'pullStartedAt'
    | 'pullStoppedAt'
    | 'startedAt'
    | 'stoppingAt'
    | 'executionStoppedAt'
    | 'stoppedAt'
    | 'attachments'
  >
>;

/** A change to one Task's status; only fields that differ from the Task given are present. */
export interface TaskStatusUpdate {
  readonly taskArn: string;
  readonly changes: TaskStatusChanges;
}

/**
 * ECS_IMAGE_PULL_BEHAVIOR: `default` pulls and falls back to a cached image when the pull fails;
 * `always` pulls and fails the task when the pull fails; `once` and `prefer-cached` pull only when the
 * engine has no copy of the image.
 */
export type ImagePullBehavior = 'default' | 'always' | 'once' | 'prefer-cached';

export interface AgentSettings {
  readonly imagePullBehavior: ImagePullBehavior;
  /** How long a stopped task's containers stay on the engine (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION, 3 h). */
  readonly taskCleanupWaitMs: number;
  /** Wait for a dependency condition when the dependency sets no startTimeout (ECS_CONTAINER_START_TIMEOUT, 3 min). */
  readonly defaultStartTimeoutSeconds: number;
  /** Stop timeout for a labelled container whose task is gone and whose label names none. */
  readonly orphanStopTimeoutSeconds: number;
  /**
   * Baton: the longest a stopping task stays DEACTIVATING for its `deactivationHolds` (load-balancer
   * draining), counted from `stoppingAt`; a safety net should nobody release them. Default 61 min
   * (ELB's longest deregistration delay is 60).
   */
  readonly maxDeactivationHoldMs: number;
  /** Baton: the host directory under which each task's FireLens socket directory lives (ECS: its data dir's firelens/). */
  readonly firelensDir: string;
  /**
   * The image of a task's pause container (awsvpc, pidMode/ipcMode `task`). The default is built in:
   * the Docker runtime imports it into an engine that lacks it (ECS's agent loads its pause image
   * from a tarball it ships, too).
   */
  readonly pauseImage: string;
}

/** The instance the agent runs for: its ARN names the cluster (`container-instance/<cluster>/<id>`). */
export interface AgentInstance {
  readonly containerInstanceArn: string;
  /** GPUs the instance's engine offers (`resourceRequirements` GPU); default none. */
  readonly gpus?: number;
}

export interface ReconcileInstanceInput {
  readonly instance: AgentInstance;
  /** The Tasks assigned to the instance; tasks of other instances are ignored. */
  readonly tasks: readonly Task[];
  /** Task definitions by ARN (at least those the tasks name). */
  readonly taskDefinitions: ReadonlyMap<string, TaskDefinition>;
  /** Every container on the engine (unlabelled ones too: they are never touched). */
  readonly observed: readonly ObservedContainer[];
  /** Image references the engine has (`repo:tag`); drives the pull behaviour. */
  readonly images?: readonly string[];
  readonly outcomes?: readonly ActionOutcome[];
  /** Every Docker volume on the engine (task-scoped volumes are found by Baton's labels). */
  readonly volumes?: readonly ObservedVolume[];
  readonly now: number;
  readonly settings?: Partial<AgentSettings>;
}

export interface ReconcileInstanceResult {
  /** In a deterministic order: by task ARN, then container order. */
  readonly actions: readonly ContainerAction[];
  readonly taskUpdates: readonly TaskStatusUpdate[];
  /** Reconcile again after this long at the latest (a startTimeout, a retention period…). */
  readonly requeueAfterMs?: number;
  /** The instance's task counts once the updates are applied. */
  readonly instance: { readonly runningTasksCount: number; readonly pendingTasksCount: number };
}

/** A Task record's containers, as the agent writes them. */
export type ContainerRecord = Container;
