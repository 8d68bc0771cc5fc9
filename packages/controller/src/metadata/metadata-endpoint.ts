import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@baton-ecs/loop';
import type { KeyValuePair, Task, TaskDefinition } from '@baton-ecs/model';
import {
  type CreateContainerAction,
  isPauseContainer,
  pauseContainerName,
  pauseEngineName,
  subnetNetworkName,
  subnetOf,
} from '@baton-ecs/reconciler';
import type { ContainerEngine } from '@baton-ecs/runtime-docker';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { firstValueFrom, timeout } from 'rxjs';
import type { ContainerEnvironmentSource } from '../secrets/injector.js';
import {
  containerMetadata,
  type MetadataContainer,
  type MetadataNetwork,
  taskMetadata,
} from './task-metadata.js';

export interface TaskMetadataEndpointOptions {
  readonly store: Store<BatonKinds>;
  /** The engine of a container instance (its agent's), for inspect and stats. */
  readonly engineOf: (containerInstanceArn: string) => ContainerEngine | undefined;
  readonly log: Logger;
}

/** A stats sample arrives within about a second; a container that gives none in this long gets `{}`. */
const statsTimeoutMs = 5_000;

/**
 * ECS's task metadata endpoint v4 (and v3 at the same paths), served by Baton for the containers of
 * bridge and awsvpc tasks on engines on Baton's own host.
 *
 * Where it listens: on the gateway address of the Docker network the container's task is on (the
 * engine's bridge, or the awsvpc subnet's network), on a port the system picks — so only containers
 * of that engine's networks (and the host) can reach it, never the outside. One listener per gateway,
 * opened when the first container that needs it is created.
 *
 * Who gets what: each container's URI ends in a token naming its task and container, signed with a
 * key that lives only in this process (HMAC-SHA256). A request is answered about the token's task
 * and nothing else; a forged or altered token gets 404. The token is in the container's environment
 * only (the create request), never in the store, logs or describe output.
 */
export class TaskMetadataEndpoint implements ContainerEnvironmentSource {
  private readonly key = randomBytes(32);
  private readonly listeners = new Map<string, Promise<{ server: Server; port: number } | undefined>>();
  private closed = false;

  constructor(private readonly options: TaskMetadataEndpointOptions) {}

  async environment(
    action: CreateContainerAction,
    networkMode: TaskDefinition['networkMode'],
    engine: ContainerEngine,
  ): Promise<readonly KeyValuePair[]> {
    if (this.closed || isPauseContainer(action.containerName)) return [];
    if (networkMode !== 'bridge' && networkMode !== 'awsvpc') return [];
    // Only an engine on this host has its networks' gateways here.
    if (!engine.endpoint.startsWith('unix://') || !engine.networkInfo) return [];
    const task = await this.options.store.get('Task', action.taskArn);
    if (!task) return [];
    const network = networkMode === 'awsvpc' ? subnetNetworkName(subnetOf(task.object)) : 'bridge';
    const gateway = (await engine.networkInfo(network))?.gateway;
    if (!gateway) return [];
    const listener = await this.listen(gateway);
    if (!listener) return [];
    const token = this.token(action.taskArn, action.containerName);
    const base = `http://${gateway}:${listener.port}`;
    return [
      { name: 'ECS_CONTAINER_METADATA_URI_V4', value: `${base}/v4/${token}` },
      { name: 'ECS_CONTAINER_METADATA_URI', value: `${base}/v3/${token}` },
    ];
  }

  /** Closes every listener. */
  async close(): Promise<void> {
    this.closed = true;
    const all = await Promise.all(this.listeners.values());
    this.listeners.clear();
    await Promise.all(
      all.map((l) => (l ? new Promise<void>((resolve) => l.server.close(() => resolve())) : undefined)),
    );
  }

  private listen(host: string): Promise<{ server: Server; port: number } | undefined> {
    let listener = this.listeners.get(host);
    if (!listener) {
      listener = new Promise((resolve) => {
        const server = createServer((req, res) => void this.handle(req, res));
        server.once('error', (error) => {
          // A gateway that is not an address of this host (a remote engine): no endpoint there.
          this.options.log({
            level: 'warn',
            msg: 'task metadata endpoint cannot listen',
            host,
            error: String(error),
          });
          resolve(undefined);
        });
        server.listen(0, host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? { server, port: address.port } : undefined);
        });
      });
      this.listeners.set(host, listener);
    }
    return listener;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 32);
  }

  private token(taskArn: string, containerName: string): string {
    const payload = Buffer.from(`${taskArn}\n${containerName}`).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The task and container a token names, when its signature is this endpoint's. */
  private verify(token: string): { taskArn: string; containerName: string } | undefined {
    const [payload, signature] = token.split('.');
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const [taskArn, containerName] = Buffer.from(payload, 'base64url').toString().split('\n');
    return taskArn && containerName ? { taskArn, containerName } : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const m = /^\/v[34]\/([^/]+)(\/task|\/taskWithTags|\/stats|\/task\/stats)?\/?$/.exec(
        (req.url ?? '').split('?')[0] ?? '',
      );
      const who = m ? this.verify(m[1] as string) : undefined;
      if (req.method !== 'GET' || !m || !who) return reply(404, { error: 'no such metadata path' });
      const view = await this.view(who.taskArn);
      if (!view) return reply(404, { error: 'the task is gone' });
      const self = view.containers.find((c) => c.name === who.containerName);
      if (!self) return reply(404, { error: 'the container is gone' });
      switch (m[2]) {
        case undefined:
          return reply(200, containerMetadata(view.task, view.td, self, view.net));
        case '/task':
          return reply(200, taskMetadata(view.task, view.td, view.containers, view.net));
        case '/taskWithTags':
          return reply(200, {
            ...taskMetadata(view.task, view.td, view.containers, view.net),
            TaskTags: Object.fromEntries(view.task.tags.map((t) => [t.key, t.value ?? ''])),
          });
        case '/stats':
          return reply(200, await this.stats(view.engine, self));
        default:
          return reply(
            200,
            Object.fromEntries(
              await Promise.all(
                view.containers.flatMap((c) =>
                  c.observed ? [this.stats(view.engine, c).then((s) => [c.observed?.id, s] as const)] : [],
                ),
              ),
            ),
          );
      }
    } catch (error) {
      this.options.log({ level: 'warn', msg: 'task metadata request failed', error: String(error) });
      if (!res.headersSent) reply(500, { error: 'metadata unavailable' });
    }
  }

  private async stats(engine: ContainerEngine, c: MetadataContainer): Promise<unknown> {
    const id = c.observed?.state === 'running' ? c.observed.id : undefined;
    if (!id) return {};
    return firstValueFrom(engine.stats(id).pipe(timeout(statsTimeoutMs))).catch(() => ({}));
  }

  /** The task as the endpoint reports it: its record, definition, and each container as the engine shows it. */
  private async view(taskArn: string): Promise<
    | {
        task: Task;
        td: TaskDefinition;
        engine: ContainerEngine;
        containers: MetadataContainer[];
        net: MetadataNetwork;
      }
    | undefined
  > {
    const task = (await this.options.store.get('Task', taskArn))?.object;
    if (!task?.containerInstanceArn) return undefined;
    const td = (await this.options.store.get('TaskDefinition', task.taskDefinitionArn))?.object;
    const engine = this.options.engineOf(task.containerInstanceArn);
    if (!td || !engine) return undefined;
    const inspect = (id: string | undefined) => (id ? engine.inspect(id).catch(() => undefined) : undefined);
    const containers: MetadataContainer[] = await Promise.all(
      td.containerDefinitions.map(async (def) => {
        const record = task.containers.find((c) => c.name === def.name);
        const observed = await inspect(record?.runtimeId);
        return { name: def.name, def, ...(record ? { record } : {}), ...(observed ? { observed } : {}) };
      }),
    );
    const pauseObserved =
      td.networkMode === 'awsvpc' || td.pidMode === 'task' || td.ipcMode === 'task'
        ? await inspect(pauseEngineName(taskArn))
        : undefined;
    if (pauseObserved) containers.unshift({ name: pauseContainerName, observed: pauseObserved });
    const net: MetadataNetwork = {
      mode: td.networkMode,
      ...(td.networkMode === 'awsvpc' ? { dockerNetwork: subnetNetworkName(subnetOf(task)) } : {}),
      ...(td.networkMode === 'bridge' ? { dockerNetwork: 'bridge' } : {}),
      ...(pauseObserved ? { namespaceOwner: pauseObserved } : {}),
    };
    return { task, td, engine, containers, net };
  }
}
