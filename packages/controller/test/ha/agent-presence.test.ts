import { ManualClock, silentLogger } from '@baton-ecs/loop';
import { arns, type ContainerInstance } from '@baton-ecs/model';
import { batonKinds, createMemoryStore, type LockRecord } from '@baton-ecs/store';
import { describe, expect, it } from 'vitest';
import { watchAgentPresence } from '../../src/leader/agent-presence.js';
import type { LeaderLock, LockingStore } from '../../src/leader/lock.js';

const instance = (id: string, over: Partial<ContainerInstance> = {}): ContainerInstance => ({
  containerInstanceArn: arns.containerInstance('c', id),
  ec2InstanceId: id,
  engineEndpoint: 'unix:///e.sock',
  status: 'ACTIVE',
  agentConnected: true,
  registeredResources: [],
  remainingResources: [],
  attributes: [],
  runningTasksCount: 0,
  pendingTasksCount: 0,
  registeredAt: 0,
  tags: [],
  ...over,
});

/** Locks held by name; only holder() is asked for. */
function locks(held: Set<string>): LockingStore {
  return {
    leaseLock: (name) =>
      ({
        name,
        holder: async (): Promise<LockRecord | undefined> =>
          held.has(name) ? { holder: 'agent', createRevision: '1', lease: '1' } : undefined,
        close: () => {},
      }) as unknown as LeaderLock,
  };
}

describe('watchAgentPresence: the lost-instance rule for agents that run elsewhere', () => {
  it('disconnects an instance whose agent lock has no holder, and only that one', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const clock = new ManualClock(1_000);
    for (const i of [
      instance('held'),
      instance('gone'),
      instance('inactive', { status: 'INACTIVE' }),
      instance('already', { agentConnected: false, agentDisconnectedAt: 500 }),
    ])
      await store.create('ContainerInstance', i);
    const held = new Set([`agent/${arns.containerInstance('c', 'held')}`]);
    // The instances come from the informer's cache: here, the store's view.
    const all = (await store.list('ContainerInstance')).items;
    const stop = watchAgentPresence({
      store,
      locks: locks(held),
      instances: () => all,
      clock,
      logger: silentLogger,
      everyMs: 2_000,
    });
    const get = async (id: string) =>
      (await store.get('ContainerInstance', arns.containerInstance('c', id)))?.object;
    clock.advance(1_999);
    expect((await get('gone'))?.agentConnected).toBe(true);
    clock.advance(1);
    await expect.poll(async () => (await get('gone'))?.agentConnected).toBe(false);
    expect((await get('gone'))?.agentDisconnectedAt).toBe(3_000);
    expect((await get('held'))?.agentConnected).toBe(true);
    expect((await get('inactive'))?.agentConnected).toBe(true);
    expect((await get('already'))?.agentDisconnectedAt).toBe(500);
    stop();
  });
});
