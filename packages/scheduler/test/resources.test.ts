import { type ContainerInstance, resourceInteger, resourceStringSet } from '@baton-ecs/model';
import { describe, expect, it } from 'vitest';
import {
  ClusterState,
  remainingResources,
  staticHostPorts,
  taskDefinitionReservation,
  taskReservation,
} from '../src/index.js';
import { instance, instanceArn, snapshot, task, taskDefinition } from './fixtures.js';

describe('task reservations', () => {
  it.each([
    [
      'container cpu and memory summed',
      {
        containers: [
          { cpu: 256, memory: 512 },
          { cpu: 128, memory: 64 },
        ],
      },
      384,
      576,
    ],
    ['memoryReservation counts when set', { containers: [{ memory: 1024, memoryReservation: 256 }] }, 0, 256],
    [
      'task-level values win',
      { cpu: '1 vCPU', memory: '2 GB', containers: [{ cpu: 10, memory: 64 }] },
      1024,
      2048,
    ],
    ['task-level memory only', { memory: 300, containers: [{ cpu: 100, memory: 64 }] }, 100, 300],
  ])('%s', (_, options, cpu, memory) => {
    const r = taskDefinitionReservation(taskDefinition('a', options));
    expect([r.cpu, r.memory]).toEqual([cpu, memory]);
  });

  it('static host ports: bridge binds explicit hostPorts, host binds containerPorts, none binds nothing', () => {
    const containers = [
      {
        portMappings: [
          { containerPort: 80, hostPort: 8080 },
          { containerPort: 81, hostPort: 0 },
          { containerPort: 82 },
          { containerPort: 53, hostPort: 5353, protocol: 'udp' as const },
        ],
      },
    ];
    expect(staticHostPorts(taskDefinition('a', { containers }))).toEqual({
      tcpPorts: [8080],
      udpPorts: [5353],
    });
    const host = taskDefinition('b', {
      networkMode: 'host',
      containers: [{ portMappings: [{ containerPort: 80 }, { containerPort: 53, protocol: 'udp' }] }],
    });
    expect(staticHostPorts(host)).toEqual({ tcpPorts: [80], udpPorts: [53] });
    expect(staticHostPorts(taskDefinition('c', { networkMode: 'none', containers }))).toEqual({
      tcpPorts: [],
      udpPorts: [],
    });
  });

  it('applies task overrides and bound ports to an existing task', () => {
    const td = taskDefinition('a', {
      containers: [{ cpu: 100, memory: 200, portMappings: [{ containerPort: 80, hostPort: 80 }] }],
    });
    const t = task(td, 'i-1', {
      overrides: { containerOverrides: [{ name: 'c0', cpu: 300, memoryReservation: 50 }] },
      bindings: [{ hostPort: 80 }, { hostPort: 32768 }, { hostPort: 5000, protocol: 'udp' }],
    });
    expect(taskReservation(t, td)).toEqual({ cpu: 300, memory: 50, tcpPorts: [80, 32768], udpPorts: [5000] });
    expect(
      taskReservation(task(td, 'i-1', { overrides: { cpu: '512', containerOverrides: [] } }), td).cpu,
    ).toBe(512);
  });
});

describe('remaining resources', () => {
  const td = taskDefinition('web', {
    containers: [
      { cpu: 512, memoryReservation: 1024, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
    ],
  });
  const i1 = instance('i-1', { cpu: 4096, memory: 8192, ports: ['22', '2376', '9000'], udpPorts: ['161'] });

  it('is registered minus what non-STOPPED tasks reserve, whatever remainingResources says', () => {
    const tasks = [
      task(td, 'i-1', { lastStatus: 'RUNNING' }),
      task(td, 'i-1', { lastStatus: 'PENDING', bindings: [] }),
      // stopping but not yet stopped: still holds its resources
      task(td, 'i-1', { desiredStatus: 'STOPPED', lastStatus: 'DEACTIVATING' }),
      task(td, 'i-1', { desiredStatus: 'STOPPED', lastStatus: 'STOPPED' }),
      task(td, 'i-2', { lastStatus: 'RUNNING' }),
    ];
    const stale: ContainerInstance = {
      ...i1,
      remainingResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1 }],
    };
    const remaining = remainingResources(stale, tasks, new Map([[td.taskDefinitionArn!, td]]));
    expect(resourceInteger(remaining, 'CPU')).toBe(4096 - 3 * 512);
    expect(resourceInteger(remaining, 'MEMORY')).toBe(8192 - 3 * 1024);
    expect(resourceStringSet(remaining, 'PORTS')).toEqual([
      '22',
      '2375',
      '2376',
      '8080',
      '9000',
      '51678',
      '51679',
      '51680',
    ]);
    expect(resourceStringSet(remaining, 'PORTS_UDP')).toEqual(['161']);
  });

  it('is maintained incrementally as tasks change', () => {
    const t = task(td, 'i-1', { lastStatus: 'PENDING' });
    const state = ClusterState.fromSnapshot(snapshot([i1], [t], [td]));
    const cpu = () => resourceInteger(state.remainingResources(instanceArn('i-1'))!, 'CPU');
    expect(cpu()).toBe(4096 - 512);
    state.upsertTask({ ...t, lastStatus: 'RUNNING' });
    expect(cpu()).toBe(4096 - 512);
    state.upsertTask({ ...t, lastStatus: 'STOPPED' });
    expect(cpu()).toBe(4096);
    state.upsertTask(t);
    state.removeTask(t.taskArn);
    expect(cpu()).toBe(4096);
    state.upsertInstance({
      ...i1,
      registeredResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1024 }],
    });
    state.upsertTask(t);
    expect(cpu()).toBe(512);
  });

  it('ignores tasks on unknown instances and unplaced tasks', () => {
    const state = ClusterState.fromSnapshot(snapshot([i1], [task(td, 'i-9'), task(td, undefined)], [td]));
    expect(resourceInteger(state.remainingResources(instanceArn('i-1'))!, 'CPU')).toBe(4096);
  });
});
