import type { ContainerSpec } from '@baton-ecs/reconciler';
import type { ContainerCreateOptions } from 'dockerode';

export interface ContainerConfigOptions {
  /** Where published ports bind: 127.0.0.1 by default, so nothing is exposed beyond the host. */
  readonly publishHostIp: string;
}

const MiB = 1024 * 1024;
const seconds = (s: number) => Math.round(s * 1e9);

/** A Baton container spec as Docker's create request. Docker's own restart policy stays off: restarts are the agent's. */
export function toCreateOptions(
  spec: ContainerSpec,
  options: ContainerConfigOptions,
): ContainerCreateOptions {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.portMappings) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    if (spec.networkMode === 'bridge' && !spec.joinNetworkOf) {
      bindings[key] = [
        ...(bindings[key] ?? []),
        { HostIp: options.publishHostIp, HostPort: p.hostPort > 0 ? String(p.hostPort) : '' },
      ];
    }
  }
  const hc = spec.healthCheck;
  // A container that joins another's namespace (awsvpc) has no network settings of its own:
  // Docker refuses ports, hostname, DNS and hosts entries with `container:` network mode.
  const networkMode = spec.joinNetworkOf
    ? `container:${spec.joinNetworkOf}`
    : spec.network
      ? spec.network.name
      : spec.networkMode;
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.command ? { Cmd: [...spec.command] } : {}),
    ...(spec.entryPoint ? { Entrypoint: [...spec.entryPoint] } : {}),
    Env: spec.environment.map((e) => `${e.name}=${e.value}`),
    ...(spec.workingDirectory ? { WorkingDir: spec.workingDirectory } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.hostname ? { Hostname: spec.hostname } : {}),
    Labels: { ...spec.labels },
    ...(spec.joinNetworkOf ? {} : { ExposedPorts: exposed }),
    StopTimeout: spec.stopTimeoutSeconds,
    ...(spec.pseudoTerminal ? { Tty: true } : {}),
    ...(spec.interactive ? { OpenStdin: true } : {}),
    ...(spec.disableNetworking ? { NetworkDisabled: true } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: [...hc.command],
            Interval: seconds(hc.intervalSeconds),
            Timeout: seconds(hc.timeoutSeconds),
            Retries: hc.retries,
            StartPeriod: seconds(hc.startPeriodSeconds),
          },
        }
      : {}),
    HostConfig: {
      NetworkMode: networkMode,
      PortBindings: bindings,
      CpuShares: spec.cpuShares,
      ...(spec.memoryMiB !== undefined ? { Memory: spec.memoryMiB * MiB } : {}),
      ...(spec.memoryReservationMiB !== undefined
        ? { MemoryReservation: spec.memoryReservationMiB * MiB }
        : {}),
      RestartPolicy: { Name: 'no' },
      ...(spec.privileged ? { Privileged: true } : {}),
      ...(spec.readonlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
      ...(spec.ulimits
        ? { Ulimits: spec.ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit })) }
        : {}),
      ...(spec.extraHosts ? { ExtraHosts: spec.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`) } : {}),
      ...(spec.dnsServers ? { Dns: [...spec.dnsServers] } : {}),
      ...(spec.dnsSearchDomains ? { DnsSearch: [...spec.dnsSearchDomains] } : {}),
      ...(spec.pidMode ? { PidMode: spec.pidMode } : {}),
      ...(spec.ipcMode ? { IpcMode: spec.ipcMode } : {}),
      ...(spec.cpus !== undefined ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
      // Swap is counted with memory in Docker's MemorySwap; it needs a memory limit to add to.
      ...(spec.maxSwapMiB !== undefined && spec.memoryMiB !== undefined
        ? { MemorySwap: (spec.memoryMiB + spec.maxSwapMiB) * MiB }
        : {}),
      ...(spec.swappiness !== undefined ? { MemorySwappiness: spec.swappiness } : {}),
      ...(spec.capAdd ? { CapAdd: [...spec.capAdd] } : {}),
      ...(spec.capDrop ? { CapDrop: [...spec.capDrop] } : {}),
      ...(spec.init ? { Init: true } : {}),
      ...(spec.devices
        ? {
            Devices: spec.devices.map((d) => ({
              PathOnHost: d.hostPath,
              PathInContainer: d.containerPath,
              CgroupPermissions: d.permissions,
            })),
          }
        : {}),
      ...(spec.tmpfs
        ? { Tmpfs: Object.fromEntries(spec.tmpfs.map((t) => [t.containerPath, t.options])) }
        : {}),
      ...(spec.shmSizeMiB !== undefined ? { ShmSize: spec.shmSizeMiB * MiB } : {}),
      ...(spec.sysctls ? { Sysctls: { ...spec.sysctls } } : {}),
      ...(spec.securityOptions ? { SecurityOpt: [...spec.securityOptions] } : {}),
      ...(spec.gpus
        ? { DeviceRequests: [{ Driver: 'nvidia', Count: spec.gpus, Capabilities: [['gpu']] }] }
        : {}),
      ...(spec.links?.length ? { Links: spec.links.map((l) => `${l.container}:${l.alias}`) } : {}),
      ...(spec.mounts?.length
        ? { Binds: spec.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`) }
        : {}),
      ...(spec.volumesFrom?.length
        ? { VolumesFrom: spec.volumesFrom.map((v) => `${v.container}:${v.readOnly ? 'ro' : 'rw'}`) }
        : {}),
      // Logging (reconciler's log-config.ts): the driver and its options.
      ...(spec.logConfig
        ? { LogConfig: { Type: spec.logConfig.type, Config: { ...spec.logConfig.config } } }
        : {}),
    },
  };
}
