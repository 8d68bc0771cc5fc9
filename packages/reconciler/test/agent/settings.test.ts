import { describe, expect, it } from 'vitest';
import { agentStoppedReasons, type CreateContainerAction } from '../../src/agent/index.js';
import { def, reconcile, task, taskDef, tdMap, types } from './helpers.js';

const specs = (r: ReturnType<typeof reconcile>) =>
  r.actions.filter((a): a is CreateContainerAction => a.type === 'CreateContainer').map((a) => a.spec);

describe('containerSpec: Linux settings', () => {
  it('linuxParameters, systemControls and dockerSecurityOptions reach the spec', () => {
    const td = taskDef([
      def('app', {
        memory: 128,
        linuxParameters: {
          capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
          initProcessEnabled: true,
          devices: [{ hostPath: '/dev/fuse', permissions: ['read', 'write'] }],
          tmpfs: [{ containerPath: '/run', size: 16, mountOptions: ['noexec'] }],
          sharedMemorySize: 64,
          maxSwap: 0,
        },
        systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
        dockerSecurityOptions: ['no-new-privileges'],
      }),
    ]);
    const [spec] = specs(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(spec).toMatchObject({
      capAdd: ['SYS_PTRACE'],
      capDrop: ['NET_RAW'],
      init: true,
      devices: [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rw' }],
      tmpfs: [{ containerPath: '/run', options: 'size=16m,noexec' }],
      shmSizeMiB: 64,
      maxSwapMiB: 0,
      swappiness: 60,
      sysctls: { 'net.core.somaxconn': '1024' },
      securityOptions: ['no-new-privileges'],
    });
  });

  it('a container without them gets none of them', () => {
    const td = taskDef([def('app')]);
    const [spec] = specs(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    for (const key of ['capAdd', 'init', 'tmpfs', 'sysctls', 'securityOptions', 'cpus', 'gpus'])
      expect(spec).not.toHaveProperty(key);
  });
});

describe('task-level cpu and memory: limits of the containers together', () => {
  it('containers without a hard limit share what the task has left, by memoryReservation', () => {
    const td = {
      ...taskDef([
        def('app', { memory: 256, cpu: 256 }),
        def('sidecar', { memoryReservation: 64, cpu: 0 }),
        def('agent', { memoryReservation: 192, cpu: 768 }),
      ]),
      cpu: '2048',
      memory: '1024',
    };
    const s = specs(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(s.map((x) => x.memoryMiB)).toEqual([256, 192, 576]);
    expect(s.reduce((sum, x) => sum + (x.memoryMiB ?? 0), 0)).toBeLessThanOrEqual(1024);
    // 2 vCPUs split by cpu units (256:0:768); a container with 0 units still gets the smallest quota.
    expect(s.map((x) => x.cpus)).toEqual([0.5, 0.01, 1.5]);
  });

  it('equal shares when no container says how to split', () => {
    const td = { ...taskDef([def('a'), def('b')]), cpu: '1024', memory: '512' };
    const s = specs(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(s.map((x) => [x.memoryMiB, x.cpus])).toEqual([
      [256, 0.5],
      [256, 0.5],
    ]);
  });
});

describe('resourceRequirements: GPU', () => {
  const td = taskDef([def('train', { resourceRequirements: [{ type: 'GPU', value: '1' }] })]);

  it('refused with a clear reason when the instance offers no GPU', () => {
    const r = reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) });
    expect(types(r)).toEqual([]);
    expect(r.taskUpdates[0]?.changes).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: agentStoppedReasons.gpuUnavailable('train', 1, 0),
    });
    expect(agentStoppedReasons.gpuUnavailable('train', 1, 0)).toBe(
      'RESOURCE:GPU: container train requires 1 GPU; no engine of this container instance advertises GPUs',
    );
  });

  it('requested from the engine when the instance offers enough', () => {
    const r = reconcile({
      tasks: [task(td)],
      taskDefinitions: tdMap(td),
      instance: { containerInstanceArn: task(td).containerInstanceArn ?? '', gpus: 2 },
    });
    expect(specs(r)[0]?.gpus).toBe(1);
  });
});

describe('pidMode and ipcMode', () => {
  it('host is applied to every container of the task', () => {
    const td = { ...taskDef([def('a'), def('b')]), pidMode: 'host' as const, ipcMode: 'host' as const };
    const s = specs(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(s.map((x) => [x.pidMode, x.ipcMode])).toEqual([
      ['host', 'host'],
      ['host', 'host'],
    ]);
  });
});
