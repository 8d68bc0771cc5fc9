import type { ContainerSpec, ObservedContainer, ObservedVolume, VolumeSpec } from '@baton-ecs/reconciler';
import type { Observable } from 'rxjs';
import type { ContainerConfigOptions } from './container-config.js';

/** What an engine says about itself: the source of a container instance's resources and attributes. */
export interface EngineInfo {
  readonly id: string;
  readonly name: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** Docker's architecture name (`x86_64`, `aarch64`). */
  readonly architecture: string;
  readonly osType: string;
  readonly serverVersion: string;
}

/** A container event from the engine's event stream (only what the agent needs: which container changed). */
export interface EngineEvent {
  readonly id: string;
  readonly action: string;
  readonly time: number;
}

/** One line a container wrote. */
export interface EngineLogLine {
  readonly stream: 'stdout' | 'stderr';
  /** When the engine received it, epoch ms. */
  readonly time: number;
  readonly message: string;
}

export interface EngineLogOptions {
  /** Lines at or after this time (epoch ms). */
  readonly sinceMs?: number;
  /** Lines before this time (epoch ms). */
  readonly untilMs?: number;
  /** At most this many lines, the latest. */
  readonly tail?: number;
}

/**
 * What Baton's agent needs of a container engine. `DockerEngine` implements it over dockerode; the
 * simulator's engine (`@baton-ecs/testing`) implements it in memory, so the agent's loop runs the same
 * code against both. Every failure is an `EngineError`: `statusCode` set when the engine answered
 * (the call was refused), undefined when it could not be reached.
 *
 * Idempotence is part of the contract, because the agent repeats calls after crashes and lost
 * answers: `create` of an existing name resolves the existing id, `start` of a running container,
 * `stop` of a stopped one and `remove` of a missing one succeed.
 */
export interface ContainerEngine {
  /** The engine's canonical address (a Docker endpoint, or `sim://…`). */
  readonly endpoint: string;
  /** Resolves when the engine answers within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  info(): Promise<EngineInfo>;
  /** Ids of the containers carrying `label` (`key` or `key=value`), running or not. */
  listContainerIds(label: string): Promise<string[]>;
  /** The container, or undefined when the engine no longer has it. */
  inspect(id: string): Promise<ObservedContainer | undefined>;
  /** Every `repo:tag` the engine has. */
  imageRefs(): Promise<string[]>;
  /** Whether the engine has the image (by reference or digest). */
  hasImage(image: string): Promise<boolean>;
  /** Pulls an image (with registry credentials in Docker's authconfig shape, when given). */
  pull(image: string, authconfig?: object): Promise<void>;
  /** Creates the container and resolves its id; an existing container of the same name resolves that one's id. */
  create(spec: ContainerSpec, options: ContainerConfigOptions): Promise<string>;
  /** Starts the container; already running is fine. */
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`; already stopped or gone is fine. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes the container and its anonymous volumes; already gone is fine. */
  remove(id: string): Promise<void>;
  /**
   * Container events for containers carrying `label`, from `sinceMs` (epoch ms) when given, else from
   * now. Errors when the stream fails; completes when the engine closes it.
   */
  events(label: string, sinceMs?: number): Observable<EngineEvent>;
  /** Resource-usage samples (`docker stats` JSON) until the container stops. */
  stats(containerId: string): Observable<Readonly<Record<string, unknown>>>;
  /** The lines the container wrote, oldest first. */
  logs(containerId: string, options?: EngineLogOptions): Promise<readonly EngineLogLine[]>;
  /**
   * Volumes (task volumes, `dockerVolumeConfiguration`). Optional: an engine without them reports
   * none, and a task that needs one to be created fails with the engine's refusal.
   */
  volumes?(): Promise<ObservedVolume[]>;
  /** Creates a volume; an existing one of the same name is fine. */
  createVolume?(spec: VolumeSpec): Promise<void>;
  /** Removes a volume; a missing one is fine. */
  removeVolume?(name: string): Promise<void>;
  /**
   * Creates a Baton-managed network (an awsvpc subnet) unless it exists, its subnet taken from
   * `pool` when given. Optional: an engine without networks fails awsvpc tasks with its refusal.
   */
  ensureNetwork?(
    spec: { readonly name: string; readonly labels: Readonly<Record<string, string>> },
    pool?: string,
  ): Promise<void>;
  /** A network's first IPv4 subnet and gateway; undefined when there is no such network. */
  networkInfo?(name: string): Promise<{ readonly subnet?: string; readonly gateway?: string } | undefined>;
  /** Imports a root filesystem tarball as an image (the built-in pause image). */
  importImage?(ref: string, tarball: Buffer): Promise<void>;
}
