import type { Clock, Logger } from '@baton-ecs/loop';
import type { ArnContext, Task } from '@baton-ecs/model';
import type { AgentSettings } from '@baton-ecs/reconciler';
import type { CredentialProvider } from '@baton-ecs/registry-client';
import type { ContainerEngine, EngineSpec, ImagePinner } from '@baton-ecs/runtime-docker';
import type { ScalerOptions } from '@baton-ecs/scaler';
import type { BatonKinds, Store } from '@baton-ecs/store';
import type { LeaderElectionOptions } from './leader/index.js';
import type { SecretsOptions } from './secrets/options.js';
import type { WorkloadSecurityOptions } from './security-policy.js';

export interface BatonOptions {
  /** The store; default an in-memory one (durable when `dataDir` is set). */
  readonly store?: Store<BatonKinds>;
  /** Keep the in-memory store's state on disk here (append-only log + snapshots). */
  readonly dataDir?: string;
  /** The cluster the engines join; created on start if missing. Default `default`. */
  readonly cluster?: string;
  /** Docker engines, one container instance each: `{ endpoint: 'unix:///var/run/docker.sock', instanceId: 'i-1', attributes }`. */
  readonly engines?: readonly EngineSpec[];
  readonly arn?: ArnContext;
  /** Seed for placement ties and ids; default a random one. */
  readonly seed?: number;
  /** Structured logs; default JSON lines of warnings and errors on stderr. */
  readonly logger?: Logger;
  /** Tasks on an instance whose agent has been disconnected this long are replaced. Default 5 min. */
  readonly instanceLostAfterMs?: number;
  /** Services reconciled at once (never one service twice at once). Default 4. */
  readonly serviceWorkers?: number;
  /** Periodic resync of every service. Default 30 s. */
  readonly resyncMs?: number;
  /** STOPPED tasks are deleted from the store after this long (ECS keeps them about an hour). Default 1 h. */
  readonly stoppedTaskRetentionMs?: number;
  /** Task agent settings for every engine. */
  readonly agent?: {
    readonly heartbeatIntervalMs?: number;
    readonly heartbeatTimeoutMs?: number;
    readonly resyncIntervalMs?: number;
    /** Container actions running at once per engine. Default 8. */
    readonly concurrency?: number;
    readonly settings?: Partial<AgentSettings>;
    /**
     * The engine behind each engine spec; default a DockerEngine at its `endpoint`. A simulation
     * passes its own (`@baton-ecs/testing`'s SimulatedEngine), so the production agent drives it.
     */
    readonly engineFor?: (engine: EngineSpec) => ContainerEngine;
  };
  /**
   * Image pinning, as ECS does: each deployment's image tags are resolved to
   * digests once, through the registry, and pulled by digest with the right
   * credentials. Only the listed registries are resolved (default: none —
   * references are used as they are). Or pass your own `images` pinner.
   */
  readonly registry?: {
    readonly registries: readonly string[];
    readonly credentials?: CredentialProvider;
    /** Registries spoken to over plain HTTP (a local registry on 127.0.0.1). */
    readonly insecure?: readonly string[];
  };
  readonly images?: ImagePinner;
  /** Auto scaling: evaluation interval and target-tracking alarm shapes (AAS's defaults otherwise). */
  readonly scaling?: {
    readonly scaler?: ScalerOptions;
    /** How often utilisation is computed from the engines' stats. Default 20 s. */
    readonly statsIntervalMs?: number;
  };
  readonly clock?: Clock;
  /**
   * What tasks may ask of their hosts. Privileged containers, host networking, host PID/IPC and bind
   * mounts of sensitive host paths (the Docker socket, /proc, /sys, …) are refused unless opted into
   * here, as the ECS agent's ECS_DISABLE_PRIVILEGED does. See docs/reliability.md.
   */
  readonly security?: WorkloadSecurityOptions;
  /**
   * Run as one of several replicas over a shared store (`etcdStore(…)`): every replica keeps its
   * caches warm and serves the API; the elected leader alone runs the service controller and the
   * janitor, and each engine's agent runs on whichever replica holds that engine's lock. See docs/ha.md.
   */
  readonly leaderElection?: LeaderElectionOptions;
  /**
   * Container `secrets`, `environmentFiles` and `repositoryCredentials`: the local stores'
   * encryption key, the directories `file://` references may read, your own provider. See docs/secrets.md.
   */
  readonly secrets?: SecretsOptions;
  /** awslogs streams kept by Baton (docs/logs.md): under `dataDir`/logs when set, else in memory. */
  readonly logs?: {
    /** Bytes of log messages kept in all; the oldest go first. Default 64 MiB. */
    readonly maxBytes?: number;
    /** Drop granularity within a stream. Default 256 KiB. */
    readonly segmentBytes?: number;
    /** How often followed containers are read. Default 500 ms. */
    readonly pollMs?: number;
  };
}

/** A task's status moved (ECS's "Task State Change" event). */
export interface TaskStateChange {
  readonly taskArn: string;
  readonly lastStatus: Task['lastStatus'];
  readonly desiredStatus: Task['desiredStatus'];
  readonly previousStatus: Task['lastStatus'] | undefined;
  readonly task: Task;
}
