import { request } from 'node:http';
import type { Task } from '@baton-ecs/model';
import { batonLabels } from '@baton-ecs/reconciler';
import { createMemoryStore } from '@baton-ecs/store';
import type Docker from 'dockerode';
import {
  type AgentStore,
  agentKinds,
  InstanceAgent,
  type InstanceAgentOptions,
  storeAgentStore,
} from '../../src/index.js';
import { docker, waitFor } from '../support.js';

export { def, newTask, taskDef } from '../records.js';
export { docker, engine1, engine2, requireEngine, testImage, uniqueCluster, waitFor } from '../support.js';

export type TestStore = Awaited<ReturnType<typeof createMemoryStore<typeof agentKinds>>>;

export async function newStore(): Promise<{ store: TestStore; agentStore: AgentStore }> {
  const store = await createMemoryStore({ kinds: agentKinds });
  return { store, agentStore: storeAgentStore(store) };
}

/** Test-speed agent settings: quick heartbeats and resyncs, never pull the local test image. */
export function agentOptions(
  over: Partial<InstanceAgentOptions> &
    Pick<InstanceAgentOptions, 'store' | 'cluster' | 'instanceId' | 'endpoint'>,
): InstanceAgentOptions {
  return {
    resyncIntervalMs: 2_000,
    heartbeatIntervalMs: 300,
    heartbeatTimeoutMs: 1_000,
    settings: { imagePullBehavior: 'prefer-cached', taskCleanupWaitMs: 60_000 },
    ...over,
  };
}

export async function startAgent(options: InstanceAgentOptions): Promise<InstanceAgent> {
  const agent = new InstanceAgent(options);
  await agent.start();
  return agent;
}

/** Polls `probe` until it returns a value (not undefined/false), or fails after `timeoutMs` naming `what`. */
/** The task as the store has it now. */
export async function taskNow(store: TestStore, taskArn: string): Promise<Task> {
  const e = await store.get('Task', taskArn);
  if (!e) throw new Error(`task ${taskArn} is not in the store`);
  return e.object;
}

export function waitForTask(
  store: TestStore,
  taskArn: string,
  what: string,
  timeoutMs: number,
  predicate: (t: Task) => boolean,
): Promise<Task> {
  return waitFor(`task ${what}`, timeoutMs, async () => {
    const t = await taskNow(store, taskArn);
    return predicate(t) ? t : undefined;
  });
}

/** GET http://127.0.0.1:port/ → body. */
export function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Removes every container of a test cluster from an engine. */
export async function removeClusterContainers(endpoint: string, cluster: string): Promise<void> {
  const d = docker(endpoint);
  // An engine that is not there has nothing to clean (and requireEngine has already said so).
  const list = await d
    .listContainers({ all: true, filters: { label: [`${batonLabels.cluster}=${cluster}`] } })
    .catch(() => []);
  await Promise.all(
    list.map((c) =>
      d
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

export async function inspectByName(endpoint: string, name: string): Promise<Docker.ContainerInspectInfo> {
  return docker(endpoint).getContainer(name).inspect();
}

/** An engine timestamp (RFC 3339 with nanoseconds) in epoch ms. */
export function dockerTimeMs(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${value}`);
  return ms;
}
