import type { ContainerSpec } from '@baton-ecs/reconciler';
import type { ContainerInspectInfo } from 'dockerode';
import { describe, expect, it } from 'vitest';
import {
  fromInspect,
  nextSubnet,
  pauseExecutable,
  pauseImageTarball,
  toCreateOptions,
} from '../src/index.js';

const base: ContainerSpec = {
  name: 'baton-c1-t1-app',
  image: 'busybox:1',
  environment: [],
  cpuShares: 2,
  networkMode: 'bridge',
  portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
  labels: {},
  stopTimeoutSeconds: 2,
};
const publish = { publishHostIp: '127.0.0.1' };

describe('toCreateOptions: awsvpc', () => {
  it('the pause container goes on its subnet’s network and publishes the task’s ports there', () => {
    const o = toCreateOptions(
      { ...base, network: { name: 'baton-subnet-a', labels: {} }, hostname: 'web', dnsServers: ['10.0.0.2'] },
      publish,
    );
    expect(o.HostConfig?.NetworkMode).toBe('baton-subnet-a');
    expect(o.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
    expect(o.Hostname).toBe('web');
    expect(o.HostConfig?.Dns).toEqual(['10.0.0.2']);
  });

  it('a container joining the pause container has no ports or exposed ports (Docker refuses them)', () => {
    const o = toCreateOptions({ ...base, joinNetworkOf: 'baton-c1-t1-_internal_ecs_pause' }, publish);
    expect(o.HostConfig?.NetworkMode).toBe('container:baton-c1-t1-_internal_ecs_pause');
    expect(o.HostConfig?.PortBindings).toEqual({});
    expect(o).not.toHaveProperty('ExposedPorts');
  });

  it('pid and ipc namespaces of the pause container', () => {
    const o = toCreateOptions({ ...base, pidMode: 'container:p', ipcMode: 'container:p' }, publish);
    expect(o.HostConfig).toMatchObject({ PidMode: 'container:p', IpcMode: 'container:p' });
  });
});

describe('fromInspect: networks', () => {
  it('keeps the networks with the address on each', () => {
    const info = {
      Id: 'x',
      Name: '/n',
      Image: 'sha256:1',
      Config: { Labels: {}, Image: 'i' },
      State: { Status: 'running', StartedAt: '2024-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z' },
      NetworkSettings: {
        Ports: {},
        Networks: {
          bridge: { IPAddress: '172.29.1.2', MacAddress: 'aa' },
          'baton-subnet-a': { IPAddress: '172.30.0.2', MacAddress: '02:42:ac:1e:00:02' },
        },
      },
    } as unknown as ContainerInspectInfo;
    expect(fromInspect(info).networks).toEqual([
      { name: 'bridge', ipAddress: '172.29.1.2', macAddress: 'aa' },
      { name: 'baton-subnet-a', ipAddress: '172.30.0.2', macAddress: '02:42:ac:1e:00:02' },
    ]);
  });
});

describe('nextSubnet: a /24 per network from the engine’s pool', () => {
  it('takes the first block that overlaps no network of the engine', () => {
    expect(nextSubnet('172.30.0.0/16', [])).toBe('172.30.0.0/24');
    expect(nextSubnet('172.30.0.0/16', ['172.30.0.0/24', '172.29.1.0/24'])).toBe('172.30.1.0/24');
    expect(nextSubnet('172.30.0.0/16', ['172.30.0.0/23'])).toBe('172.30.2.0/24');
    expect(nextSubnet('172.30.5.0/26', [])).toBe('172.30.5.0/26');
    expect(nextSubnet('172.30.5.0/24', ['172.30.0.0/16'])).toBeUndefined();
  });

  it('refuses a pool that is not an IPv4 CIDR', () => {
    expect(() => nextSubnet('fd00::/64', [])).toThrow(/IPv4 CIDR/);
  });
});

describe('the built-in pause image', () => {
  it('is a static ELF executable for x86_64 and aarch64 whose entry point is its code', () => {
    for (const [arch, machine] of [
      ['x86_64', 0x3e],
      ['aarch64', 0xb7],
      ['amd64', 0x3e],
    ] as const) {
      const elf = pauseExecutable(arch);
      expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(elf.readUInt16LE(18)).toBe(machine);
      expect(Number(elf.readBigUInt64LE(24))).toBe(0x400000 + 120);
      expect(Number(elf.readBigUInt64LE(96))).toBe(elf.length);
    }
    expect(() => pauseExecutable('s390x')).toThrow(/pauseImage/);
  });

  it('is a tar archive of /pause, mode 755, with a valid header checksum', () => {
    const tar = pauseImageTarball('x86_64');
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(0, 5).toString()).toBe('pause');
    expect(tar.subarray(100, 107).toString()).toBe('0000755');
    const header = Buffer.from(tar.subarray(0, 512));
    const stored = Number.parseInt(header.subarray(148, 154).toString(), 8);
    header.fill(0x20, 148, 156);
    expect(header.reduce((a, b) => a + b, 0)).toBe(stored);
  });
});
