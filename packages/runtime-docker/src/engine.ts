import { createRequire } from 'node:module';
import type { ContainerSpec, ObservedContainer, ObservedVolume, VolumeSpec } from '@baton-ecs/reconciler';
import type Docker from 'dockerode';
import { Observable } from 'rxjs';
import { type ContainerConfigOptions, toCreateOptions } from './container-config.js';
import type {
  ContainerEngine,
  EngineEvent,
  EngineInfo,
  EngineLogLine,
  EngineLogOptions,
} from './container-engine.js';
import {
  canonicalEndpoint,
  dockerOptions,
  type EngineConnection,
  insecureEndpointWarning,
  isInsecureEndpoint,
} from './endpoint.js';
import { EngineError, engineMessage, engineStatus } from './engine-error.js';
import {
  ensureNetwork,
  importImage,
  type NetworkInfo,
  type NetworkSpec,
  networkInfo,
} from './engine-networks.js';
import { demuxLogs } from './log-frames.js';
import { fromInspect } from './observe.js';

// dockerode (with ssh2 and its native parts) loads when the first engine is made, not when Baton is
// imported: an embedding that only simulates, or runs no engine of its own, never pays for it.
const requireCjs = createRequire(import.meta.url);
let dockerode: typeof Docker | undefined;
const loadDockerode = (): typeof Docker => {
  dockerode ??= requireCjs('dockerode') as typeof Docker;
  return dockerode;
};

export interface DockerEngineOptions extends EngineConnection {
  /** Per-request limit for short calls (inspect, list, create, start, remove). Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** Where a warning about the endpoint goes (plain TCP beyond loopback). Default process.emitWarning. */
  readonly onWarning?: (message: string) => void;
}

/**
 * One Docker engine, through dockerode. Two clients share the endpoint: one with a request timeout
 * for short calls, one without for calls that legitimately take long (events, pulls, stops). Every
 * failure leaves as an `EngineError` carrying dockerode's error as its `cause`.
 */
export class DockerEngine implements ContainerEngine {
  readonly endpoint: string;
  private readonly short: Docker;
  private readonly long: Docker;

  constructor(endpoint: string, options: DockerEngineOptions = {}) {
    this.endpoint = canonicalEndpoint(endpoint);
    const base = dockerOptions(endpoint, options);
    if (isInsecureEndpoint(endpoint, options)) {
      const warning = insecureEndpointWarning(this.endpoint);
      if (options.onWarning) options.onWarning(warning);
      else process.emitWarning(warning, { code: 'BATON_INSECURE_ENGINE' });
    }
    const Docker = loadDockerode();
    this.short = new Docker({ ...base, timeout: options.requestTimeoutMs ?? 15_000 });
    this.long = new Docker(base);
  }

  /** Resolves when the engine answers within `timeoutMs`; rejects otherwise. */
  async ping(timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError(`engine ${this.endpoint} did not answer within ${timeoutMs} ms`, {
              operation: 'ping',
              endpoint: this.endpoint,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.call('ping', () => this.short.ping()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async info(): Promise<EngineInfo> {
    const i = (await this.call('info', () => this.short.info())) as Record<string, unknown>;
    return {
      id: String(i.ID ?? ''),
      name: String(i.Name ?? ''),
      cpus: Number(i.NCPU ?? 0),
      memoryBytes: Number(i.MemTotal ?? 0),
      architecture: String(i.Architecture ?? ''),
      osType: String(i.OSType ?? 'linux'),
      serverVersion: String(i.ServerVersion ?? ''),
    };
  }

  /** Ids of the containers carrying `label` (`key` or `key=value`), running or not. */
  async listContainerIds(label: string): Promise<string[]> {
    const list = await this.call('list', () =>
      this.short.listContainers({ all: true, filters: { label: [label] } }),
    );
    return list.map((c) => c.Id);
  }

  /** The container, or undefined when the engine no longer has it. */
  async inspect(id: string): Promise<ObservedContainer | undefined> {
    try {
      return fromInspect(await this.call('inspect', () => this.short.getContainer(id).inspect()));
    } catch (err) {
      if (engineStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** Every `repo:tag` the engine has. */
  async imageRefs(): Promise<string[]> {
    const images = await this.call('images', () => this.short.listImages());
    return images.flatMap((i) => (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'));
  }

  /** Pulls an image; rejects with the engine's message when the pull fails. */
  async pull(image: string, authconfig?: object): Promise<void> {
    const stream = await this.call('pull', () => this.long.pull(image, authconfig ? { authconfig } : {}));
    await new Promise<void>((resolve, reject) => {
      this.long.modem.followProgress(stream, (err: Error | null, output: unknown[]) => {
        if (err) return reject(EngineError.from(err, 'pull', this.endpoint));
        // A failed pull can also end "successfully" with an error entry in the stream.
        const failed = (output ?? []).find((o) => typeof (o as { error?: unknown }).error === 'string') as
          | { error: string }
          | undefined;
        // It is the engine's verdict on the pull, like an HTTP error status.
        return failed
          ? reject(
              new EngineError(failed.error, { operation: 'pull', statusCode: 500, endpoint: this.endpoint }),
            )
          : resolve();
      });
    });
  }

  /** Whether the engine has the image (by reference or digest). */
  async hasImage(image: string): Promise<boolean> {
    try {
      await this.call('inspect image', () => this.short.getImage(image).inspect());
      return true;
    } catch (err) {
      if (engineStatus(err) === 404) return false;
      throw err;
    }
  }

  /** Creates the container; a name conflict means an earlier attempt already did (resolves its id). */
  async create(spec: ContainerSpec, options: ContainerConfigOptions): Promise<string> {
    try {
      const c = await this.call('create', () => this.short.createContainer(toCreateOptions(spec, options)));
      return c.id;
    } catch (err) {
      if (engineStatus(err) !== 409) throw err;
      const existing = await this.call('inspect', () => this.short.getContainer(spec.name).inspect());
      return existing.Id;
    }
  }

  /** Every volume on the engine, with what a shared volume is compared on. */
  async volumes(): Promise<ObservedVolume[]> {
    const list = await this.call('volumes', () => this.short.listVolumes());
    return (list.Volumes ?? []).map((v) => ({
      name: v.Name,
      driver: v.Driver,
      options: (v.Options as Record<string, string> | null) ?? {},
      labels: (v.Labels as Record<string, string> | null) ?? {},
    }));
  }

  /** Creates a volume (Docker answers with the existing one when the name is taken). */
  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.call('createVolume', () =>
      this.short.createVolume({
        Name: spec.name,
        Driver: spec.driver,
        DriverOpts: { ...spec.driverOpts },
        Labels: { ...spec.labels },
      }),
    );
  }

  /** Creates a Baton-managed network unless it exists (engine-networks.ts). */
  async ensureNetwork(spec: NetworkSpec, pool?: string): Promise<void> {
    await this.call('createNetwork', () => ensureNetwork(this.short, spec, pool));
  }

  /** A network's subnet and gateway (the task metadata endpoint listens on the gateway). */
  async networkInfo(name: string): Promise<NetworkInfo | undefined> {
    return this.call('inspectNetwork', () => networkInfo(this.short, name));
  }

  /** Imports a root filesystem tarball as the image `ref` (the built-in pause image). */
  async importImage(ref: string, tarball: Buffer): Promise<void> {
    await this.call('importImage', () => importImage(this.long, ref, tarball));
  }

  /** Removes a volume; already gone is fine. */
  async removeVolume(name: string): Promise<void> {
    try {
      await this.call('removeVolume', () => this.short.getVolume(name).remove());
    } catch (err) {
      if (engineStatus(err) !== 404) throw err;
    }
  }

  /** Starts the container; already running is fine. */
  async start(id: string): Promise<void> {
    try {
      await this.call('start', () => this.short.getContainer(id).start());
    } catch (err) {
      if (engineStatus(err) !== 304) throw err;
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds` (Docker's stop); already stopped or gone is fine. */
  async stop(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.call('stop', () => this.long.getContainer(id).stop({ t: timeoutSeconds }));
    } catch (err) {
      const status = engineStatus(err);
      if (status !== 304 && status !== 404) throw err;
    }
  }

  /** Removes the container and its anonymous volumes; already gone is fine. */
  async remove(id: string): Promise<void> {
    try {
      await this.call('remove', () => this.short.getContainer(id).remove({ v: true }));
    } catch (err) {
      const status = engineStatus(err);
      if (status !== 404 && !(status === 409 && /already in progress/.test(engineMessage(err)))) throw err;
    }
  }

  /** The lines the container wrote (both streams, with the engine's timestamps), oldest first. */
  async logs(containerId: string, options: EngineLogOptions = {}): Promise<readonly EngineLogLine[]> {
    const raw = (await this.call('logs', () =>
      this.short.getContainer(containerId).logs({
        follow: false,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(options.sinceMs !== undefined ? { since: Math.floor(options.sinceMs / 1000) } : {}),
        ...(options.untilMs !== undefined ? { until: Math.ceil(options.untilMs / 1000) } : {}),
        ...(options.tail !== undefined ? { tail: options.tail } : {}),
      }),
    )) as unknown as Buffer | string;
    const lines = demuxLogs(typeof raw === 'string' ? Buffer.from(raw) : raw);
    // The engine's since/until are whole seconds: trim to the exact bounds asked for.
    return lines.filter(
      (l) =>
        (options.sinceMs === undefined || l.time >= options.sinceMs) &&
        (options.untilMs === undefined || l.time < options.untilMs),
    );
  }

  /** Runs one engine call; whatever it throws leaves as an EngineError. */
  private async call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw EngineError.from(err, operation, this.endpoint);
    }
  }

  /**
   * Container events for containers carrying `label`, from `sinceMs` (epoch ms) when given, else from
   * now. Errors when the stream fails; completes when the engine closes it (a daemon that stopped).
   */
  events(label: string, sinceMs?: number): Observable<EngineEvent> {
    return new Observable<EngineEvent>((subscriber) => {
      const abort = new AbortController();
      let stream: NodeJS.ReadableStream | undefined;
      this.long
        .getEvents({
          filters: { type: ['container'], label: [label] },
          ...(sinceMs !== undefined ? { since: Math.floor(sinceMs / 1000) } : {}),
          abortSignal: abort.signal,
        } as Docker.GetEventsOptions)
        .then((s) => {
          stream = s;
          if (abort.signal.aborted) return destroy(s);
          // A partial or foreign line is skipped: the periodic resync covers whatever it was.
          onJsonLines(s, (line) => {
            const e = line as { id?: string; Actor?: { ID?: string }; Action?: string; time?: number };
            const id = e.Actor?.ID ?? e.id;
            if (id) subscriber.next({ id, action: e.Action ?? '', time: (e.time ?? 0) * 1000 });
          });
          s.on('error', (err: unknown) => subscriber.error(EngineError.from(err, 'events', this.endpoint)));
          s.on('end', () => subscriber.complete());
          s.on('close', () => subscriber.complete());
        })
        .catch((err: unknown) => subscriber.error(EngineError.from(err, 'events', this.endpoint)));
      return () => {
        abort.abort();
        if (stream) destroy(stream);
      };
    });
  }

  /**
   * The container's resource usage as Docker streams it (about one sample a
   * second: `docker stats` JSON, with `precpu_stats` for the CPU delta).
   * Completes when the container stops.
   */
  stats(containerId: string): Observable<Readonly<Record<string, unknown>>> {
    return new Observable((subscriber) => {
      let stream: NodeJS.ReadableStream | undefined;
      let closed = false;
      this.long
        .getContainer(containerId)
        .stats({ stream: true })
        .then((s) => {
          stream = s as unknown as NodeJS.ReadableStream;
          if (closed) return destroy(stream);
          // A bad line is skipped: the next sample follows within a second.
          onJsonLines(stream, (sample) => subscriber.next(sample as Record<string, unknown>));
          stream.on('error', (err: unknown) =>
            subscriber.error(EngineError.from(err, 'stats', this.endpoint)),
          );
          stream.on('end', () => subscriber.complete());
        })
        .catch((err: unknown) => subscriber.error(EngineError.from(err, 'stats', this.endpoint)));
      return () => {
        closed = true;
        if (stream) destroy(stream);
      };
    });
  }
}

/** Calls `onObject` with each JSON line of a newline-delimited stream (Docker's events and stats). */
function onJsonLines(stream: NodeJS.ReadableStream, onObject: (value: unknown) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      onObject(value);
    }
  });
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as { destroy?: () => void }).destroy?.();
}
