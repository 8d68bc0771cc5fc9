import type { ContainerSpec } from '@baton-ecs/reconciler';
import type { ContainerInspectInfo } from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  actionKey,
  dockerOptions,
  dockerTime,
  ecsArchitecture,
  fromInspect,
  instanceRecord,
  toCreateOptions,
} from '../src/index.js';

const spec: ContainerSpec = {
  name: 'baton-c1-t1-web',
  image: 'busybox:1',
  command: ['httpd', '-f'],
  entryPoint: ['/bin/sh', '-c'],
  environment: [{ name: 'A', value: '1' }],
  cpuShares: 256,
  memoryMiB: 64,
  memoryReservationMiB: 32,
  networkMode: 'bridge',
  portMappings: [
    { containerPort: 80, hostPort: 0, protocol: 'tcp' },
    { containerPort: 53, hostPort: 5353, protocol: 'udp' },
  ],
  healthCheck: {
    command: ['CMD-SHELL', 'true'],
    intervalSeconds: 1.5,
    timeoutSeconds: 1,
    retries: 2,
    startPeriodSeconds: 0,
  },
  labels: { 'com.baton.cluster': 'c1' },
  stopTimeoutSeconds: 2,
  extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.1' }],
};

describe('toCreateOptions', () => {
  it('maps a spec to Docker: limits, shares, ports on 127.0.0.1, health check in ns, labels, no restart policy', () => {
    const o = toCreateOptions(spec, { publishHostIp: '127.0.0.1' });
    expect(o).toMatchObject({
      name: 'baton-c1-t1-web',
      Image: 'busybox:1',
      Cmd: ['httpd', '-f'],
      Entrypoint: ['/bin/sh', '-c'],
      Env: ['A=1'],
      Labels: { 'com.baton.cluster': 'c1' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      StopTimeout: 2,
      Healthcheck: {
        Test: ['CMD-SHELL', 'true'],
        Interval: 1_500_000_000,
        Timeout: 1_000_000_000,
        Retries: 2,
        StartPeriod: 0,
      },
      HostConfig: {
        NetworkMode: 'bridge',
        PortBindings: {
          '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
          '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
        },
        CpuShares: 256,
        Memory: 64 * 1024 * 1024,
        MemoryReservation: 32 * 1024 * 1024,
        RestartPolicy: { Name: 'no' },
        ExtraHosts: ['db:10.0.0.1'],
      },
    });
  });

  it('publishes nothing in host mode (the container binds its ports itself)', () => {
    const o = toCreateOptions({ ...spec, networkMode: 'host' }, { publishHostIp: '127.0.0.1' });
    expect(o.HostConfig?.PortBindings).toEqual({});
    expect(o.HostConfig?.NetworkMode).toBe('host');
  });
});

describe('toCreateOptions: mounts, links and Linux settings', () => {
  it('maps them to Docker HostConfig fields', () => {
    const o = toCreateOptions(
      {
        ...spec,
        memoryMiB: 128,
        cpus: 0.5,
        mounts: [
          { type: 'volume', source: 'vol', target: '/data', readOnly: false },
          { type: 'bind', source: '/srv/conf', target: '/conf', readOnly: true },
        ],
        volumesFrom: [{ container: 'baton-c1-t1-app', readOnly: true }],
        links: [{ container: 'baton-c1-t1-db', alias: 'database' }],
        capAdd: ['SYS_PTRACE'],
        capDrop: ['NET_RAW'],
        init: true,
        devices: [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rw' }],
        tmpfs: [{ containerPath: '/run', options: 'size=16m,noexec' }],
        shmSizeMiB: 64,
        maxSwapMiB: 32,
        swappiness: 10,
        sysctls: { 'net.core.somaxconn': '1024' },
        securityOptions: ['no-new-privileges'],
        gpus: 1,
        pidMode: 'host',
        ipcMode: 'none',
      },
      { publishHostIp: '127.0.0.1' },
    );
    expect(o.HostConfig).toMatchObject({
      Binds: ['vol:/data', '/srv/conf:/conf:ro'],
      VolumesFrom: ['baton-c1-t1-app:ro'],
      Links: ['baton-c1-t1-db:database'],
      NanoCpus: 500_000_000,
      Memory: 128 * 1024 * 1024,
      MemorySwap: 160 * 1024 * 1024,
      MemorySwappiness: 10,
      CapAdd: ['SYS_PTRACE'],
      CapDrop: ['NET_RAW'],
      Init: true,
      Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rw' }],
      Tmpfs: { '/run': 'size=16m,noexec' },
      ShmSize: 64 * 1024 * 1024,
      Sysctls: { 'net.core.somaxconn': '1024' },
      SecurityOpt: ['no-new-privileges'],
      DeviceRequests: [{ Driver: 'nvidia', Count: 1, Capabilities: [['gpu']] }],
      PidMode: 'host',
      IpcMode: 'none',
    });
  });
});

describe('fromInspect', () => {
  const base = {
    Id: 'abc',
    Name: '/baton-c1-t1-web',
    Image: 'sha256:1',
    Config: { Image: 'busybox:1', Labels: { a: 'b' } },
    NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }], '81/tcp': null } },
  };
  const inspect = (state: Record<string, unknown>) =>
    ({
      ...base,
      State: {
        Status: 'running',
        OOMKilled: false,
        ExitCode: 0,
        Error: '',
        StartedAt: '2026-01-01T00:00:01.123456789Z',
        FinishedAt: '0001-01-01T00:00:00Z',
        ...state,
      },
    }) as unknown as ContainerInspectInfo;

  it('normalises state, times, health and port bindings', () => {
    expect(fromInspect(inspect({ Health: { Status: 'healthy' } }))).toEqual({
      id: 'abc',
      name: 'baton-c1-t1-web',
      labels: { a: 'b' },
      image: 'busybox:1',
      imageId: 'sha256:1',
      state: 'running',
      startedAt: Date.parse('2026-01-01T00:00:01.123Z'),
      health: 'healthy',
      portBindings: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 32768 }],
    });
  });

  it('keeps the exit code of an exited container, OOM kills and start errors', () => {
    const o = fromInspect(
      inspect({
        Status: 'exited',
        ExitCode: 137,
        OOMKilled: true,
        FinishedAt: '2026-01-01T00:00:02Z',
        Error: 'boom',
      }),
    );
    expect(o).toMatchObject({
      state: 'exited',
      exitCode: 137,
      oomKilled: true,
      error: 'boom',
      health: 'none',
    });
    expect(o.finishedAt).toBe(Date.parse('2026-01-01T00:00:02Z'));
  });

  it('reads Docker’s zero time as never', () => {
    expect(dockerTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(dockerTime('')).toBeUndefined();
  });
});

describe('engines and instances', () => {
  it('parses endpoints', () => {
    expect(dockerOptions('unix:///var/run/baton/docker.sock')).toEqual({
      socketPath: '/var/run/baton/docker.sock',
    });
    expect(dockerOptions('/var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(dockerOptions('tcp://127.0.0.1:2375')).toEqual({
      protocol: 'http',
      host: '127.0.0.1',
      port: 2375,
    });
    expect(() => dockerOptions('ftp://x')).toThrow(/unsupported Docker endpoint/);
  });

  it('builds a container instance from the engine: NCPU·1024 CPU, memory in MiB, ECS attributes', () => {
    const info = {
      id: 'E',
      name: 'host',
      cpus: 2,
      memoryBytes: 4 * 1024 ** 3,
      architecture: 'aarch64',
      osType: 'linux',
      serverVersion: '20.10.24',
    };
    const reg = {
      cluster: 'c1',
      instanceId: 'i-1',
      endpoint: 'unix:///x',
      attributes: { 'ecs.availability-zone': 'a' },
      reservedMemoryMiB: 96,
    };
    const r = instanceRecord(info, reg, 1000);
    expect(r.containerInstanceArn).toBe('arn:aws:ecs:local:000000000000:container-instance/c1/i-1');
    expect(r.registeredResources.slice(0, 2)).toEqual([
      { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 - 96 },
    ]);
    expect(r.attributes).toEqual([
      { name: 'ecs.os-type', value: 'linux' },
      { name: 'ecs.os-family', value: 'LINUX' },
      { name: 'ecs.cpu-architecture', value: 'arm64' },
      { name: 'ecs.availability-zone', value: 'a' },
    ]);
    expect(r.versionInfo?.dockerVersion).toBe('DockerVersion: 20.10.24');
    // Re-registration keeps what the control plane owns (status, custom attributes) and reconnects.
    const again = instanceRecord(info, reg, 2000, {
      ...r,
      status: 'DRAINING',
      agentConnected: false,
      attributes: [...r.attributes, { name: 'custom', value: 'x' }],
    });
    expect(again.status).toBe('DRAINING');
    expect(again.agentConnected).toBe(true);
    expect(again.registeredAt).toBe(1000);
    expect(again.attributes.map((a) => a.name)).toContain('custom');
    expect(ecsArchitecture('x86_64')).toBe('x86_64');
  });

  it('serialises actions per container and pulls per image', () => {
    expect(actionKey({ type: 'PullImage', image: 'a:1', for: [] })).toBe('pull:a:1');
    expect(actionKey({ type: 'StopContainer', containerId: 'x', timeoutSeconds: 1, reason: 'orphan' })).toBe(
      'container:x',
    );
    expect(actionKey({ type: 'RemoveContainer', containerId: 'x', reason: 'orphan' })).toBe('container:x');
  });
});
