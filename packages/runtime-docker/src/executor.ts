import {
  type ActionOutcome,
  type ContainerAction,
  type ContainerRef,
  type ContainerSpec,
  type CreateContainerAction,
  defaultAgentSettings,
  isPauseContainer,
} from '@baton-ecs/reconciler';
import type { ContainerConfigOptions } from './container-config.js';
import type { ContainerEngine } from './container-engine.js';
import { type ContainerInjector, InjectionError, withInjection } from './container-injection.js';
import { EngineError, engineMessage, engineStatus } from './engine-error.js';
import type { ImagePinner, PinnedImage } from './image-pinning.js';
import { pauseImageTarball } from './pause-image.js';

/**
 * Whether an error is the engine's answer (an HTTP status) rather than a failure to reach the
 * engine: only answers fail a task; an unreachable engine is retried once it is back.
 */
function isVerdict(err: unknown): boolean {
  return engineStatus(err) !== undefined;
}

/** The key that serialises actions: one in flight per container (per image for pulls). */
export function actionKey(action: ContainerAction): string {
  switch (action.type) {
    case 'PullImage':
      return `pull:${action.image}`;
    case 'CreateContainer':
      return `container:${action.spec.name}`;
    case 'CreateVolume':
      return `volume:${action.spec.name}`;
    case 'RemoveVolume':
      return `volume:${action.name}`;
    default:
      return `container:${action.containerId}`;
  }
}

export interface ExecutorOptions extends ContainerConfigOptions {
  /** Actions running at once. */
  readonly concurrency: number;
  readonly clock: () => number;
  /** Called after each action finishes (success or not): the agent re-observes and reconciles. */
  readonly onSettled: (action: ContainerAction, error: unknown) => void;
  /** Pins images to digests per deployment (registry resolution); absent: references are used as they are. */
  readonly images?: ImagePinner;
  /** The pinning scope of a task: its deployment (startedBy), else its task definition. */
  readonly scopeOf?: (taskArn: string) => string;
  /** Adds secrets and metadata URIs to each create request, and registry logins to pulls. */
  readonly injector?: ContainerInjector;
  /** The CIDR Baton-managed task networks take their subnets from (engine-networks.ts); absent: the engine picks. */
  readonly taskNetworkPool?: string;
}

/** A verdict of the runtime's own, failing the task with `message` (no retry). */
function refusal(message: string, operation: string): EngineError {
  return new EngineError(message, { operation, statusCode: 501 });
}

/** An injection failure as an engine-style verdict (the task fails; nothing is retried), keeping its reason. */
function injectionVerdict(err: InjectionError): EngineError & { readonly reason: string } {
  return Object.assign(new EngineError(err.message, { operation: 'create', statusCode: 500 }), {
    reason: err.message,
  });
}

/** The complete stopped reason an injection failure carries, if the error is one. */
function reasonOf(err: unknown): { readonly reason?: string } {
  const reason = (err as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? { reason } : {};
}

/**
 * Runs container actions on one engine: at most `concurrency` at once, never two for the same
 * container, never one that is already in flight (a reconcile that repeats it is ignored). Pull,
 * create and start outcomes are kept per task so the agent can report failures.
 */
export class ActionExecutor {
  private readonly inFlight = new Set<string>();
  private readonly queue: (() => void)[] = [];
  private running = 0;
  private outcomeList: ActionOutcome[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly engine: ContainerEngine,
    private readonly options: ExecutorOptions,
  ) {}

  get busy(): number {
    return this.inFlight.size;
  }

  outcomes(): readonly ActionOutcome[] {
    return this.outcomeList;
  }

  /** Drops outcomes of tasks the agent no longer needs them for. */
  retainOutcomes(keep: (taskArn: string) => boolean): void {
    this.outcomeList = this.outcomeList.filter((o) => keep(o.taskArn));
  }

  /** Queues the actions not already in flight; returns how many were accepted. */
  dispatch(actions: readonly ContainerAction[]): number {
    let accepted = 0;
    for (const action of actions) {
      const key = actionKey(action);
      if (this.inFlight.has(key)) continue;
      this.inFlight.add(key);
      accepted++;
      this.queue.push(() => {
        this.running++;
        this.run(action)
          .then(
            () => this.options.onSettled(action, undefined),
            (err: unknown) => this.options.onSettled(action, err),
          )
          .finally(() => {
            this.running--;
            this.inFlight.delete(key);
            this.pump();
            if (this.inFlight.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
          });
      });
    }
    this.pump();
    return accepted;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) this.queue.shift()?.();
  }

  private record(outcome: Omit<ActionOutcome, 'at'>): void {
    const at = this.options.clock();
    // Only the latest outcome per action and container matters.
    this.outcomeList = [
      ...this.outcomeList.filter(
        (o) =>
          !(
            o.action === outcome.action &&
            o.taskArn === outcome.taskArn &&
            o.containerName === outcome.containerName
          ),
      ),
      { ...outcome, at },
    ];
  }

  /** A pull of the built-in pause image, for pause containers only: imported, never pulled. */
  private isBuiltInPause(action: Extract<ContainerAction, { type: 'PullImage' }>): boolean {
    return (
      action.image === defaultAgentSettings.pauseImage &&
      action.for.every((r) => isPauseContainer(r.containerName)) &&
      this.engine.importImage !== undefined
    );
  }

  /** Imports the pause image built for the engine's architecture, unless the engine has it. */
  private async loadPauseImage(image: string): Promise<void> {
    if (await this.engine.hasImage(image)) return;
    const { architecture } = await this.engine.info();
    let tarball: Buffer;
    try {
      tarball = pauseImageTarball(architecture);
    } catch (err) {
      throw refusal((err as Error).message, 'importImage');
    }
    await this.engine.importImage?.(image, tarball);
  }

  /** The pinned image for a task's container, or undefined; a registry failure is an engine-style verdict. */
  private async pin(image: string, taskArn: string): Promise<PinnedImage | undefined> {
    if (!this.options.images) return undefined;
    try {
      return await this.options.images.pin(image, this.options.scopeOf?.(taskArn) ?? taskArn);
    } catch (err) {
      // The registry's refusal is a verdict on the image, as the engine's would be.
      throw new EngineError(`CannotPullContainerError: ${(err as Error).message}`, {
        operation: 'pull',
        statusCode: 500,
        cause: err,
      });
    }
  }

  /** The spec with the injector's variables; the result goes to the engine and nowhere else. */
  private async inject(action: CreateContainerAction, spec: ContainerSpec): Promise<ContainerSpec> {
    if (!this.options.injector) return spec;
    try {
      return withInjection(spec, await this.options.injector.forCreate(action, this.engine));
    } catch (err) {
      if (err instanceof InjectionError) throw injectionVerdict(err);
      throw err;
    }
  }

  private async pullAuth(refs: readonly ContainerRef[], image: string): Promise<object | undefined> {
    if (!this.options.injector?.pullAuth) return undefined;
    try {
      return await this.options.injector.pullAuth(refs, image);
    } catch (err) {
      if (err instanceof InjectionError) throw injectionVerdict(err);
      throw err;
    }
  }

  /** Runs a create or start and records its outcome for the task; an engine's verdict is kept as the reason. */
  private async recorded(
    kind: 'CreateContainer' | 'StartContainer',
    ref: { readonly taskArn: string; readonly containerName: string },
    work: () => Promise<unknown>,
  ): Promise<void> {
    const at = { action: kind, taskArn: ref.taskArn, containerName: ref.containerName };
    try {
      await work();
      this.record({ ...at, ok: true });
    } catch (err) {
      if (!isVerdict(err)) throw err;
      this.record({ ...at, ok: false, message: engineMessage(err), ...reasonOf(err) });
      throw err;
    }
  }

  private async run(action: ContainerAction): Promise<void> {
    switch (action.type) {
      case 'PullImage':
        try {
          if (this.isBuiltInPause(action)) {
            await this.loadPauseImage(action.image);
            for (const ref of action.for) this.record({ action: 'PullImage', ...ref, ok: true });
            return;
          }
          const ref = action.for[0];
          const pin = ref ? await this.pin(action.image, ref.taskArn) : undefined;
          const login = pin?.authconfig ?? (await this.pullAuth(action.for, action.image));
          await this.engine.pull(pin?.image ?? action.image, login);
          for (const ref of action.for) this.record({ action: 'PullImage', ...ref, ok: true });
        } catch (err) {
          if (!isVerdict(err)) throw err;
          for (const ref of action.for)
            this.record({
              action: 'PullImage',
              ...ref,
              ok: false,
              message: engineMessage(err),
              ...reasonOf(err),
            });
          throw err;
        }
        return;
      case 'CreateContainer':
        return this.recorded('CreateContainer', action, async () => {
          if (action.spec.network) {
            if (!this.engine.ensureNetwork)
              throw refusal('this engine does not support task networks', 'createNetwork');
            await this.engine.ensureNetwork(action.spec.network, this.options.taskNetworkPool);
          }
          // The pause container is Baton's own: its image is never pinned, nothing is injected into it.
          if (isPauseContainer(action.containerName)) {
            await this.engine.create(action.spec, this.options);
            return;
          }
          const pin = await this.pin(action.spec.image, action.taskArn);
          if (pin && !(await this.engine.hasImage(pin.image)))
            await this.engine.pull(pin.image, pin.authconfig);
          const spec = pin ? { ...action.spec, image: pin.image } : action.spec;
          await this.engine.create(await this.inject(action, spec), this.options);
        });
      case 'StartContainer':
        return this.recorded('StartContainer', action, () => this.engine.start(action.containerId));
      case 'StopContainer':
        return this.engine.stop(action.containerId, action.timeoutSeconds);
      case 'RemoveContainer':
        return this.engine.remove(action.containerId);
      case 'CreateVolume':
        try {
          if (!this.engine.createVolume)
            throw new EngineError('this engine does not support volumes', {
              operation: 'createVolume',
              statusCode: 501,
            });
          await this.engine.createVolume(action.spec);
          this.record({
            action: 'CreateVolume',
            taskArn: action.taskArn,
            containerName: action.volumeName,
            ok: true,
          });
        } catch (err) {
          if (!isVerdict(err)) throw err;
          this.record({
            action: 'CreateVolume',
            taskArn: action.taskArn,
            containerName: action.volumeName,
            ok: false,
            message: engineMessage(err),
          });
          throw err;
        }
        return;
      case 'RemoveVolume':
        return this.engine.removeVolume?.(action.name);
    }
  }
}
