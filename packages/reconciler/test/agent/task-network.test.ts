import { type Task, type TaskDefinition, taskSubnetId } from '@baton-ecs/model';
import { describe, expect, it } from 'vitest';
import {
  type ContainerSpec,
  type CreateContainerAction,
  defaultAgentSettings,
  pauseContainerName,
  pauseEngineName,
  type StopContainerAction,
} from '../../src/agent/index.js';
import { eniAttachment } from '../../src/service/new-task.js';
import {
  converge,
  def,
  observed,
  reconcile,
  running,
  SimEngine,
  T0,
  task,
  taskDef,
  tdMap,
} from './helpers.js';

const specs = (r: ReturnType<typeof reconcile>) =>
  r.actions.filter((a): a is CreateContainerAction => a.type === 'CreateContainer').map((a) => a.spec);
const creates = (r: ReturnType<typeof reconcile>) =>
  r.actions
    .filter((a): a is CreateContainerAction => a.type === 'CreateContainer')
    .map((a) => a.containerName);

function awsvpcPair(over: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    ...taskDef([
      def('app', {
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        hostname: 'app-host',
        dnsServers: ['10.0.0.2'],
      }),
      def('sidecar', { portMappings: [{ containerPort: 9090, hostPort: 9090, protocol: 'tcp' }] }),
    ]),
    networkMode: 'awsvpc',
    ...over,
  };
}

function awsvpcTask(td: TaskDefinition, subnet = 'subnet-a'): Task {
  return task(td, 't1', {
    attachments: [eniAttachment('t1', { awsvpcConfiguration: { subnets: [subnet] } })],
  });
}

describe('awsvpc: one network namespace per task, held by a pause container', () => {
  it('creates the pause container first, on its subnet’s network, publishing every port of the task', () => {
    const td = awsvpcPair();
    const t = awsvpcTask(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      images: ['img:1', defaultAgentSettings.pauseImage],
    });
    // The others join the pause container's namespace, which Docker needs to exist at their create.
    expect(creates(r)).toEqual([pauseContainerName]);
    expect(specs(r)[0]).toMatchObject({
      name: pauseEngineName(t.taskArn),
      image: defaultAgentSettings.pauseImage,
      entryPoint: ['/pause'],
      networkMode: 'bridge',
      network: { name: 'baton-subnet-subnet-a', labels: { 'com.baton.subnet-id': 'subnet-a' } },
      portMappings: [
        { containerPort: 8080, hostPort: 0, protocol: 'tcp' },
        { containerPort: 9090, hostPort: 9090, protocol: 'tcp' },
      ],
      hostname: 'app-host',
      dnsServers: ['10.0.0.2'],
      labels: { 'com.baton.container-name': pauseContainerName },
    });
  });

  it('pulls (for the runtime: imports) the pause image when the engine lacks it, for the pause container only', () => {
    const td = awsvpcPair();
    const r = reconcile({ tasks: [awsvpcTask(td)], taskDefinitions: tdMap(td) });
    const pull = r.actions.find((a) => a.type === 'PullImage' && a.image === defaultAgentSettings.pauseImage);
    expect(pull).toMatchObject({ for: [{ containerName: pauseContainerName }] });
  });

  it('the task’s containers join the pause container: no ports, hostname or DNS of their own', () => {
    const td = awsvpcPair();
    const t = awsvpcTask(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, pauseContainerName)],
    });
    expect(creates(r)).toEqual(['app', 'sidecar']);
    for (const spec of specs(r)) {
      expect(spec.joinNetworkOf).toBe(pauseEngineName(t.taskArn));
      expect(spec.portMappings).toEqual([]);
      for (const key of ['hostname', 'dnsServers', 'extraHosts', 'network'] as const)
        expect(spec).not.toHaveProperty(key);
    }
  });

  it('starts the others only once the pause container runs, and reports RUNNING without listing it', () => {
    const td = awsvpcPair();
    const t = awsvpcTask(td);
    const created = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, pauseContainerName), observed(t, 'app'), observed(t, 'sidecar')],
    });
    expect(created.actions.map((a) => (a.type === 'StartContainer' ? a.containerName : a.type))).toEqual([
      pauseContainerName,
    ]);
    const engine = new SimEngine();
    engine.images.add(defaultAgentSettings.pauseImage);
    const { tasks } = converge({ tasks: [t], taskDefinitions: tdMap(td), engine });
    expect(tasks[0]?.lastStatus).toBe('RUNNING');
    expect(tasks[0]?.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
  });

  it('reports the ENI attachment, each container’s address and the ports the pause container publishes for it', () => {
    const td = awsvpcPair();
    const t = awsvpcTask(td);
    const pause = running(t, pauseContainerName, T0, {
      networks: [{ name: 'baton-subnet-subnet-a', ipAddress: '172.30.0.2', macAddress: '02:42:ac:1e:00:02' }],
      portBindings: [
        { containerPort: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 32768 },
        { containerPort: 9090, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9090 },
      ],
    });
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [pause, running(t, 'app', T0), running(t, 'sidecar', T0)],
    });
    const changes = r.taskUpdates[0]?.changes;
    const eni = changes?.attachments?.[0];
    expect(eni?.status).toBe('ATTACHED');
    expect(Object.fromEntries(eni?.details.map((d) => [d.name, d.value]) ?? [])).toEqual({
      subnetId: 'subnet-a',
      networkInterfaceId: 'eni-t1',
      macAddress: '02:42:ac:1e:00:02',
      privateDnsName: 'ip-172-30-0-2.baton.internal',
      privateIPv4Address: '172.30.0.2',
    });
    const app = changes?.containers?.find((c) => c.name === 'app');
    expect(app?.networkBindings).toEqual([
      { bindIP: '127.0.0.1', containerPort: 8080, hostPort: 32768, protocol: 'tcp' },
    ]);
    expect(app?.networkInterfaces).toEqual([{ attachmentId: eni?.id, privateIpv4Address: '172.30.0.2' }]);
    expect(changes?.containers?.find((c) => c.name === 'sidecar')?.networkBindings[0]?.hostPort).toBe(9090);
  });

  it('stops the pause container last, then marks the attachment DELETED; its removal goes with the task', () => {
    const td = awsvpcPair();
    const t = { ...awsvpcTask(td), desiredStatus: 'STOPPED' as const, lastStatus: 'STOPPING' as const };
    const all = [running(t, pauseContainerName, T0), running(t, 'app', T0), running(t, 'sidecar', T0)];
    const first = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: all });
    const stops = first.actions.filter((a): a is StopContainerAction => a.type === 'StopContainer');
    expect(stops.map((s) => s.containerName)).toEqual(['app', 'sidecar']);
    const onlyPause = [
      all[0]!,
      observed(t, 'app', { state: 'exited', startedAt: T0, finishedAt: T0 + 1 }),
      observed(t, 'sidecar', { state: 'exited', startedAt: T0, finishedAt: T0 + 1 }),
    ];
    const second = reconcile({ tasks: [t], taskDefinitions: tdMap(td), observed: onlyPause });
    expect(second.actions).toMatchObject([
      { type: 'StopContainer', containerName: pauseContainerName, timeoutSeconds: 0 },
    ]);
    const done = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [
        observed(t, pauseContainerName, { state: 'exited', startedAt: T0, finishedAt: T0 + 2 }),
        ...onlyPause.slice(1),
      ],
    });
    expect(done.taskUpdates[0]?.changes.lastStatus).toBe('STOPPED');
    expect(done.taskUpdates[0]?.changes.attachments?.[0]?.status).toBe('DELETED');
    const stopped = { ...t, lastStatus: 'STOPPED' as const, stoppedAt: T0 };
    const removal = reconcile({
      tasks: [stopped],
      taskDefinitions: tdMap(td),
      observed: [observed(t, pauseContainerName, { state: 'exited', startedAt: T0, finishedAt: T0 + 2 })],
      now: T0 + defaultAgentSettings.taskCleanupWaitMs,
    });
    expect(removal.actions).toMatchObject([{ type: 'RemoveContainer', containerName: pauseContainerName }]);
  });

  it('adopts a running pause container after a restart instead of creating another', () => {
    const td = awsvpcPair();
    const t = { ...awsvpcTask(td), lastStatus: 'RUNNING' as const };
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, pauseContainerName, T0), running(t, 'app', T0), running(t, 'sidecar', T0)],
    });
    expect(r.actions).toEqual([]);
  });

  it('a task without networkConfiguration goes on Baton’s default subnet', () => {
    const td = awsvpcPair();
    const r = reconcile({
      tasks: [task(td)],
      taskDefinitions: tdMap(td),
      images: ['img:1', defaultAgentSettings.pauseImage],
    });
    expect(specs(r)[0]?.network?.name).toBe('baton-subnet-default');
  });
});

describe('pidMode and ipcMode task: namespaces shared through the pause container', () => {
  const pauseOf = (spec: ContainerSpec | undefined) => spec;
  it('bridge with pidMode task: a pause container without network; the others join its pid namespace', () => {
    const td = { ...taskDef([def('app'), def('debugger')]), pidMode: 'task' as const };
    const t = task(td);
    const first = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      images: ['img:1', defaultAgentSettings.pauseImage],
    });
    const pause = pauseOf(specs(first)[0]);
    expect(pause).toMatchObject({ networkMode: 'none', portMappings: [] });
    expect(pause).not.toHaveProperty('network');
    const next = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, pauseContainerName)],
    });
    for (const spec of specs(next)) {
      expect(spec.pidMode).toBe(`container:${pauseEngineName(t.taskArn)}`);
      expect(spec.networkMode).toBe('bridge');
      expect(spec).not.toHaveProperty('joinNetworkOf');
    }
  });

  it('ipcMode task: the pause container’s IPC is shareable and the others join it', () => {
    const td = { ...taskDef([def('app'), def('worker')]), ipcMode: 'task' as const };
    const t = task(td);
    const first = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      images: ['img:1', defaultAgentSettings.pauseImage],
    });
    expect(specs(first)[0]?.ipcMode).toBe('shareable');
    const next = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [observed(t, pauseContainerName)],
    });
    expect(specs(next).map((s) => s.ipcMode)).toEqual([
      `container:${pauseEngineName(t.taskArn)}`,
      `container:${pauseEngineName(t.taskArn)}`,
    ]);
  });

  it('host modes and plain bridge tasks get no pause container', () => {
    const td = { ...taskDef([def('app')]), pidMode: 'host' as const, ipcMode: 'host' as const };
    const r = reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) });
    expect(creates(r)).toEqual(['app']);
    expect(specs(r)[0]).toMatchObject({ pidMode: 'host', ipcMode: 'host' });
  });
});

describe('eniAttachment: the subnet an awsvpc task is given', () => {
  it('is one of the configured subnets, the same for the same task id, spread over task ids', () => {
    const config = { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b', 'subnet-c'] } };
    const a = eniAttachment('0123456789abcdef0123456789abcdef', config);
    expect(a).toMatchObject({ type: 'ElasticNetworkInterface', status: 'PRECREATED' });
    expect(eniAttachment('0123456789abcdef0123456789abcdef', config)).toEqual(a);
    const chosen = new Set(
      Array.from({ length: 30 }, (_, i) =>
        taskSubnetId({ attachments: [eniAttachment(`${i}abc${i}`, config)] }),
      ),
    );
    expect([...chosen].sort()).toEqual(['subnet-a', 'subnet-b', 'subnet-c']);
  });
});

describe('containerPortRange: every port published one to one', () => {
  it('bridge: each port of the range on a dynamic host port, beside single mappings', () => {
    const td = taskDef([
      def('app', {
        portMappings: [
          { containerPortRange: '8000-8002', protocol: 'tcp' },
          { containerPort: 9000, hostPort: 9000, protocol: 'udp' },
        ],
      }),
    ]);
    const [spec] = specs(reconcile({ tasks: [task(td)], taskDefinitions: tdMap(td) }));
    expect(spec?.portMappings).toEqual([
      { containerPort: 8000, hostPort: 0, protocol: 'tcp' },
      { containerPort: 8001, hostPort: 0, protocol: 'tcp' },
      { containerPort: 8002, hostPort: 0, protocol: 'tcp' },
      { containerPort: 9000, hostPort: 9000, protocol: 'udp' },
    ]);
  });

  it('awsvpc: the pause container publishes the range; the container’s bindings are its ports', () => {
    const td = {
      ...taskDef([def('app', { portMappings: [{ containerPortRange: '7000-7001', protocol: 'udp' }] })]),
      networkMode: 'awsvpc' as const,
    };
    const t = awsvpcTask(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      images: ['img:1', defaultAgentSettings.pauseImage],
    });
    expect(specs(r)[0]?.portMappings).toEqual([
      { containerPort: 7000, hostPort: 0, protocol: 'udp' },
      { containerPort: 7001, hostPort: 0, protocol: 'udp' },
    ]);
    const bindings = [7000, 7001].map((p, i) => ({
      containerPort: p,
      protocol: 'udp' as const,
      hostIp: '127.0.0.1',
      hostPort: 40000 + i,
    }));
    const running2 = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      observed: [running(t, pauseContainerName, T0, { portBindings: bindings }), running(t, 'app', T0)],
    });
    expect(running2.taskUpdates[0]?.changes.containers?.[0]?.networkBindings.map((b) => b.hostPort)).toEqual([
      40000, 40001,
    ]);
  });
});
