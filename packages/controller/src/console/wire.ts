/**
 * What the console's server sends its browser page (JSON over fetch and server-sent events). Plain
 * interfaces with no imports: the page (packages/console-ui) type-checks against this file too.
 */

/** CPU in units (1024 per core) or memory in MiB: what the instance offers, what tasks reserve, what they use. */
export interface ResourceFigures {
  readonly registered: number;
  readonly reserved: number;
  /** Measured from the engines' stats; null until a reading arrived. */
  readonly used: number | null;
}

export interface InstanceView {
  readonly arn: string;
  readonly id: string;
  readonly status: string;
  readonly agentConnected: boolean;
  readonly zone: string | null;
  readonly cpu: ResourceFigures;
  readonly memory: ResourceFigures;
  readonly runningTasks: number;
  readonly pendingTasks: number;
}

export interface DeploymentView {
  readonly id: string;
  readonly status: string;
  /** family:revision */
  readonly taskDefinition: string;
  readonly desired: number;
  readonly pending: number;
  readonly running: number;
  readonly failed: number;
  readonly rolloutState: string;
  readonly rolloutStateReason: string | null;
}

export interface EventView {
  readonly id: string;
  readonly at: number;
  readonly cluster: string;
  readonly service: string;
  readonly message: string;
}

export interface ServiceView {
  readonly key: string;
  readonly arn: string;
  readonly name: string;
  readonly cluster: string;
  readonly status: string;
  readonly taskDefinition: string;
  readonly desired: number;
  readonly pending: number;
  readonly running: number;
  readonly deployments: readonly DeploymentView[];
  /** The deployment circuit breaker, when enabled: failures counted so far against its threshold. */
  readonly breaker: {
    readonly rollback: boolean;
    readonly failures: number;
    readonly threshold: number;
    readonly tripped: boolean;
  } | null;
  /** Why tasks are not placed: the latest placement failure, while the service is short of tasks. */
  readonly unplaced: string | null;
  /** Newest first, the last few. */
  readonly events: readonly EventView[];
  /** Application Auto Scaling's activities for the service (DescribeScalingActivities), newest first, the last few. */
  readonly scaling: readonly ScalingActivityView[];
}

export interface ScalingActivityView {
  readonly id: string;
  readonly at: number;
  /** "Setting desired count to 6." */
  readonly description: string;
  /** "monitor alarm … in state ALARM triggered policy …" */
  readonly cause: string;
  /** Successful, Failed, InProgress… */
  readonly status: string;
  readonly statusMessage: string | null;
}

export interface TaskContainerView {
  readonly name: string;
  readonly lastStatus: string;
  readonly health: string;
  readonly exitCode: number | null;
  readonly reason: string | null;
}

export interface TaskView {
  readonly arn: string;
  readonly id: string;
  readonly cluster: string;
  /** `service:NAME`, or what started the task. */
  readonly group: string | null;
  readonly taskDefinition: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly health: string;
  readonly instanceId: string | null;
  /** `127.0.0.1:32768→8080/tcp` */
  readonly ports: readonly string[];
  readonly stopCode: string | null;
  readonly stoppedReason: string | null;
  readonly startedAt: number | null;
  readonly stoppedAt: number | null;
  readonly containers: readonly TaskContainerView[];
}

export interface ClusterView {
  readonly name: string;
  readonly status: string;
  readonly instances: readonly InstanceView[];
  readonly services: readonly ServiceView[];
  readonly tasks: readonly TaskView[];
}

export interface ConsoleSnapshot {
  readonly at: number;
  readonly clusters: readonly ClusterView[];
}

/** One sample of a service over time: utilisation in percent of what it reserves, and its counts. */
export interface MetricPoint {
  readonly t: number;
  readonly cpu: number | null;
  readonly memory: number | null;
  readonly desired: number;
  readonly running: number;
}

/** Every service's samples, by service key (`cluster/name`), oldest first. */
export type MetricsHistory = Readonly<Record<string, readonly MetricPoint[]>>;

/** A line of a task's log. */
export interface LogLineView {
  readonly t: number;
  readonly container: string;
  readonly stream: string;
  readonly line: string;
}

export interface SessionView {
  readonly authenticated: boolean;
  readonly accessKeyId: string | null;
  /** Sent back in the `x-csrf-token` header of every action. */
  readonly csrfToken: string | null;
  /** Whether this console accepts logins at all (it has access keys to check them against). */
  readonly loginAvailable: boolean;
  /** Whether reading needs a login (a console reachable beyond loopback). */
  readonly readNeedsLogin: boolean;
}

export type ConsoleAction =
  | {
      readonly kind: 'update-desired-count';
      readonly cluster: string;
      readonly service: string;
      readonly desiredCount: number;
    }
  | { readonly kind: 'force-new-deployment'; readonly cluster: string; readonly service: string }
  | { readonly kind: 'stop-task'; readonly cluster: string; readonly task: string }
  | { readonly kind: 'drain-instance'; readonly cluster: string; readonly instance: string };

/** What an action answered: ok, or the API's error name and message. */
export type ActionResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly error: string; readonly message: string };
