import type { ContainerSpec, ObservedContainer, ObservedVolume, VolumeSpec } from '@baton-ecs/reconciler';
import {
  type ContainerConfigOptions,
  type ContainerEngine,
  EngineError,
  type EngineEvent,
  type EngineInfo,
  type EngineLogLine,
  type EngineLogOptions,
} from '@baton-ecs/runtime-docker';
import type { Clock } from 'baton-ecs';
import { Observable, Subject } from 'rxjs';
import {
  type ContainerBehaviour,
  healthAfter,
  nextMove,
  observe,
  type SimulatedContainer,
} from './simulated-container.js';

/** How pulling one image goes. */
export interface PullBehaviour {
  /** How long the pull takes. Default 0. */
  readonly pullMs?: number;
  /** The registry refuses it with this message (the engine's pull fails with it). */
  readonly failure?: string;
}

export interface SimulatedEngineOptions {
  /** The clock every delay and timestamp is on (a ManualClock makes the engine deterministic). */
  readonly clock: Clock;
  /** The engine's name: its endpoint is `sim://<name>`. */
  readonly name: string;
  /** CPUs (NCPU) and memory the engine reports. Defaults 2 and 4 GiB. */
  readonly cpus?: number;
  readonly memoryBytes?: number;
  /** Images the engine has from the start. */
  readonly images?: readonly string[];
  /** How each container behaves, asked whenever it moves. Default: starts at once, runs until stopped. */
  readonly containers?: (spec: ContainerSpec) => ContainerBehaviour;
  /** How each pull goes. Default: at once, successfully. */
  readonly pulls?: (image: string) => PullBehaviour;
}

/** An engine event with the labels of its container, for the label filter of `events`. */
interface LabelledEvent extends EngineEvent {
  readonly labels: Readonly<Record<string, string>>;
}

/** Docker's first dynamic host port. */
const firstDynamicPort = 32768;

/**
 * A container engine in memory, implementing the same `ContainerEngine` contract as `DockerEngine`
 * (idempotent create/start/stop/remove, 404 and 409 answers where Docker gives them, events for each
 * change), so Baton's production agent runs over it unchanged. Every delay is a timer on the clock
 * it is given and every id comes from a counter: with a ManualClock, the same calls give the same
 * run. Knobs: per-container behaviour (start and stop times, health, exits, refused creates and
 * starts), per-image pulls (time, refusal), and reachability (`setReachable(false)`: every call fails
 * as an unreachable engine does, and event streams end).
 */
export class SimulatedEngine implements ContainerEngine {
  readonly endpoint: string;
  private readonly clock: Clock;
  private readonly containers = new Map<string, SimulatedContainer>();
  private readonly images: Set<string>;
  private readonly volumeMap = new Map<string, ObservedVolume>();
  private readonly networks = new Map<string, { subnet: string; gateway: string; next: number }>();
  private events$ = new Subject<LabelledEvent>();
  /** A prefix of this engine's own for container ids, so ids differ between engines as Docker's do. */
  private readonly idPrefix: string;
  private reachable = true;
  private answering = 0;
  private ids = 0;
  private nextPort = firstDynamicPort;

  constructor(private readonly options: SimulatedEngineOptions) {
    this.endpoint = `sim://${options.name}`;
    this.clock = options.clock;
    this.images = new Set(options.images ?? []);
    this.idPrefix = fnv1a(options.name);
  }

  // --- knobs ------------------------------------------------------------------

  /** false: the engine stops answering (calls fail unreached, event streams end); true: it answers again. */
  setReachable(reachable: boolean): void {
    if (this.reachable === reachable) return;
    this.reachable = reachable;
    if (reachable) return;
    // The daemon went away: its event streams end, and a stream opened later is a new one.
    const ended = this.events$;
    this.events$ = new Subject<LabelledEvent>();
    ended.error(this.unreachable('events'));
  }

  get isReachable(): boolean {
    return this.reachable;
  }

  /** Answers on their way (not those waiting on the clock): a caller waiting for the system to rest checks it. */
  get busy(): boolean {
    return this.answering > 0;
  }

  /** The process of a running container exits by itself with `exitCode` (an OOM kill, a crash). */
  exit(id: string, exitCode: number): void {
    const c = this.containers.get(id);
    if (c?.state === 'running') this.finish(c, exitCode);
  }

  /** Reads every running container's behaviour again (after a change): health and exits follow it. */
  refresh(): void {
    for (const c of this.containers.values()) if (c.state === 'running') this.move(c);
  }

  /** Appends a line to a container's log. */
  writeLog(id: string, message: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.containers.get(id)?.logs.push({ stream, time: this.clock.now(), message });
  }

  /** Every container, as `inspect` shows it (for tests). */
  list(): ObservedContainer[] {
    return [...this.containers.values()].map(observe);
  }

  // --- ContainerEngine --------------------------------------------------------

  async ping(_timeoutMs: number): Promise<void> {
    await this.answer('ping');
  }

  async info(): Promise<EngineInfo> {
    await this.answer('info');
    return {
      id: this.options.name,
      name: this.options.name,
      cpus: this.options.cpus ?? 2,
      memoryBytes: this.options.memoryBytes ?? 4 * 1024 ** 3,
      architecture: 'x86_64',
      osType: 'linux',
      serverVersion: 'simulated',
    };
  }

  async listContainerIds(label: string): Promise<string[]> {
    await this.answer('list');
    return [...this.containers.values()].filter((c) => hasLabel(c.spec.labels, label)).map((c) => c.id);
  }

  async inspect(id: string): Promise<ObservedContainer | undefined> {
    await this.answer('inspect');
    const c = this.containers.get(id);
    return c ? observe(c) : undefined;
  }

  async imageRefs(): Promise<string[]> {
    await this.answer('images');
    return [...this.images];
  }

  async hasImage(image: string): Promise<boolean> {
    await this.answer('inspect image');
    return this.images.has(image);
  }

  async pull(image: string, _authconfig?: object): Promise<void> {
    await this.answer('pull');
    const b = this.options.pulls?.(image) ?? {};
    await this.after(b.pullMs ?? 0);
    this.check('pull');
    if (b.failure !== undefined) throw this.refused('pull', 500, b.failure);
    this.images.add(image);
  }

  async create(spec: ContainerSpec, _options: ContainerConfigOptions): Promise<string> {
    await this.answer('create');
    const existing = [...this.containers.values()].find((c) => c.spec.name === spec.name);
    if (existing) return existing.id;
    if (!this.images.has(spec.image)) throw this.refused('create', 404, `No such image: ${spec.image}`);
    const failure = this.behaviour(spec).createFailure;
    if (failure !== undefined) throw this.refused('create', 500, failure);
    const id = `${this.idPrefix}${(++this.ids).toString(16).padStart(12, '0')}`.padEnd(64, '0');
    this.containers.set(id, {
      id,
      spec,
      createdAt: this.clock.now(),
      state: 'created',
      health: 'none',
      portBindings: [],
      networks: [],
      logs: [],
    });
    this.emit(id, 'create');
    return id;
  }

  async start(id: string): Promise<void> {
    await this.answer('start');
    const c = this.need(id, 'start');
    if (c.state === 'running') return;
    const b = this.behaviour(c.spec);
    await this.after(b.startMs ?? 0);
    this.check('start');
    if (!this.containers.has(id)) throw this.refused('start', 404, `No such container: ${id}`);
    // Another start may have finished meanwhile (TS narrowed the state before the await).
    if ((c.state as string) === 'running') return;
    if (b.startFailure !== undefined) {
      c.error = b.startFailure;
      c.exitCode = 128;
      this.emit(id, 'die');
      throw this.refused('start', 500, b.startFailure);
    }
    const now = this.clock.now();
    delete c.error;
    delete c.exitCode;
    c.state = 'running';
    c.startedAt = now;
    c.health = c.spec.healthCheck ? 'starting' : 'none';
    c.portBindings = this.bindPorts(c.spec);
    c.networks = this.attach(c.spec);
    this.emit(id, 'start');
    this.move(c);
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    await this.answer('stop');
    const c = this.containers.get(id);
    if (c?.state !== 'running') return;
    c.stopping ??= (async () => {
      const stopMs = this.behaviour(c.spec).stopMs ?? 0;
      await this.after(stopMs);
      // It may have exited by itself meanwhile.
      if (c.state === 'running') this.finish(c, stopMs > timeoutSeconds * 1000 ? 137 : 143);
    })().finally(() => {
      delete c.stopping;
    });
    await c.stopping;
    this.check('stop');
  }

  async remove(id: string): Promise<void> {
    await this.answer('remove');
    const c = this.containers.get(id);
    if (!c) return;
    if (c.state === 'running')
      throw this.refused(
        'remove',
        409,
        `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
      );
    this.clock.clearTimeout(c.timer);
    this.containers.delete(id);
    this.emit(id, 'destroy', c.spec.labels);
  }

  events(label: string, _sinceMs?: number): Observable<EngineEvent> {
    return new Observable<EngineEvent>((subscriber) => {
      if (!this.reachable) {
        subscriber.error(this.unreachable('events'));
        return;
      }
      const subscription = this.events$.subscribe({
        next: (e) => {
          if (hasLabel(e.labels, label)) subscriber.next({ id: e.id, action: e.action, time: e.time });
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => subscription.unsubscribe();
    });
  }

  /** One `docker stats`-shaped sample a second while the container runs (a fixed, modest load). */
  stats(containerId: string): Observable<Readonly<Record<string, unknown>>> {
    return new Observable((subscriber) => {
      let handle: unknown;
      let samples = 0;
      const sample = () => {
        const c = this.containers.get(containerId);
        if (c?.state !== 'running') return subscriber.complete();
        const limit = (c.spec.memoryMiB ?? 512) * 1024 * 1024;
        const cpu = (n: number) => ({
          cpu_usage: { total_usage: n * 100_000_000 },
          system_cpu_usage: n * 1_000_000_000,
          online_cpus: this.options.cpus ?? 2,
        });
        subscriber.next({
          read: new Date(this.clock.now()).toISOString(),
          cpu_stats: cpu(samples + 1),
          precpu_stats: cpu(samples),
          memory_stats: { usage: Math.round(limit / 4), limit },
        });
        samples++;
        handle = this.clock.setTimeout(sample, 1000);
      };
      sample();
      return () => this.clock.clearTimeout(handle);
    });
  }

  async logs(containerId: string, options: EngineLogOptions = {}): Promise<readonly EngineLogLine[]> {
    await this.answer('logs');
    const c = this.need(containerId, 'logs');
    const lines = c.logs.filter(
      (l) =>
        (options.sinceMs === undefined || l.time >= options.sinceMs) &&
        (options.untilMs === undefined || l.time < options.untilMs),
    );
    return options.tail !== undefined ? lines.slice(-options.tail) : lines;
  }

  async volumes(): Promise<ObservedVolume[]> {
    await this.answer('volumes');
    return [...this.volumeMap.values()];
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.answer('createVolume');
    if (this.volumeMap.has(spec.name)) return;
    this.volumeMap.set(spec.name, {
      name: spec.name,
      driver: spec.driver,
      options: { ...spec.driverOpts },
      labels: { ...spec.labels },
    });
  }

  async removeVolume(name: string): Promise<void> {
    await this.answer('removeVolume');
    this.volumeMap.delete(name);
  }

  async ensureNetwork(spec: { readonly name: string }, _pool?: string): Promise<void> {
    await this.answer('createNetwork');
    if (this.networks.has(spec.name)) return;
    const n = this.networks.size;
    this.networks.set(spec.name, { subnet: `10.200.${n}.0/24`, gateway: `10.200.${n}.1`, next: 2 });
  }

  async networkInfo(name: string): Promise<{ subnet?: string; gateway?: string } | undefined> {
    await this.answer('inspectNetwork');
    const n = this.networks.get(name);
    return n ? { subnet: n.subnet, gateway: n.gateway } : undefined;
  }

  async importImage(ref: string, _tarball: Buffer): Promise<void> {
    await this.answer('importImage');
    this.images.add(ref);
  }

  // --- inside -------------------------------------------------------------------

  private behaviour(spec: ContainerSpec): ContainerBehaviour {
    return this.options.containers?.(spec) ?? {};
  }

  /** Applies whatever is due for a running container (health, exit) and schedules its next move. */
  private move(c: SimulatedContainer): void {
    this.clock.clearTimeout(c.timer);
    delete c.timer;
    if (c.state !== 'running') return;
    const b = this.behaviour(c.spec);
    const now = this.clock.now();
    const ranFor = now - (c.startedAt ?? now);
    if (b.exitAfterMs !== undefined && ranFor >= b.exitAfterMs) {
      this.finish(c, b.exitCode ?? 1);
      return;
    }
    const health = healthAfter(c, b, ranFor);
    if (health !== c.health) {
      c.health = health;
      this.emit(c.id, `health_status: ${health}`);
    }
    // What was due is applied above, so the next move is in the future.
    const at = nextMove(c, b, now);
    if (at !== undefined) c.timer = this.clock.setTimeout(() => this.move(c), at - now);
  }

  private finish(c: SimulatedContainer, exitCode: number): void {
    this.clock.clearTimeout(c.timer);
    delete c.timer;
    c.state = 'exited';
    c.exitCode = exitCode;
    c.finishedAt = this.clock.now();
    c.portBindings = [];
    this.emit(c.id, 'die');
  }

  private bindPorts(spec: ContainerSpec): SimulatedContainer['portBindings'] {
    if (spec.networkMode !== 'bridge' || spec.joinNetworkOf || spec.network) return [];
    return spec.portMappings.map((p) => ({
      containerPort: p.containerPort,
      protocol: p.protocol,
      hostIp: '127.0.0.1',
      hostPort: p.hostPort > 0 ? p.hostPort : this.nextPort++,
    }));
  }

  private attach(spec: ContainerSpec): SimulatedContainer['networks'] {
    const network = spec.network ? this.networks.get(spec.network.name) : undefined;
    if (!spec.network || !network) return [];
    const host = network.next++;
    return [
      {
        name: spec.network.name,
        ipAddress: network.subnet.replace(/\.0\/24$/, `.${host}`),
        macAddress: `02:42:0a:c8:00:${host.toString(16).padStart(2, '0')}`,
        gateway: network.gateway,
        prefixLength: 24,
      },
    ];
  }

  private emit(id: string, action: string, labels?: Readonly<Record<string, string>>): void {
    const of = labels ?? this.containers.get(id)?.spec.labels ?? {};
    if (this.reachable) this.events$.next({ id, action, time: this.clock.now(), labels: of });
  }

  /** Resolves after `ms` on the clock (at once for 0: no timer to wait for). */
  private after(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  private need(id: string, operation: string): SimulatedContainer {
    const c = this.containers.get(id);
    if (!c) throw this.refused(operation, 404, `No such container: ${id}`);
    return c;
  }

  /**
   * Every answer comes on a later turn of the event loop, as a real engine's do over its socket: an
   * agent that loops on instant answers still yields, so a caller waiting for it to rest can tell.
   */
  private async answer(operation: string): Promise<void> {
    this.answering++;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.answering--;
    this.check(operation);
  }

  private check(operation: string): void {
    if (!this.reachable) throw this.unreachable(operation);
  }

  private unreachable(operation: string): EngineError {
    return new EngineError(`connect ECONNREFUSED ${this.endpoint}`, { operation, endpoint: this.endpoint });
  }

  private refused(operation: string, statusCode: number, message: string): EngineError {
    return new EngineError(message, { operation, statusCode, endpoint: this.endpoint });
  }
}

/** Whether `labels` carry `label` (`key` or `key=value`), as Docker's label filter matches. */
function hasLabel(labels: Readonly<Record<string, string>>, label: string): boolean {
  const eq = label.indexOf('=');
  if (eq < 0) return label in labels;
  return labels[label.slice(0, eq)] === label.slice(eq + 1);
}

/** FNV-1a of a string, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}
