import type {
  ObservedContainer,
  ObservedHealth,
  ObservedNetworkAttachment,
  ObservedPortBinding,
  ObservedState,
} from '@baton-ecs/reconciler';
import type { ContainerInspectInfo } from 'dockerode';

const states: ReadonlySet<string> = new Set([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);
const healths: ReadonlySet<string> = new Set(['starting', 'healthy', 'unhealthy']);

/** Docker reports "0001-01-01T00:00:00Z" for a time that never happened. */
export function dockerTime(value: string | undefined): number | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function portBindings(
  ports: ContainerInspectInfo['NetworkSettings']['Ports'] | null | undefined,
): ObservedPortBinding[] {
  const out: ObservedPortBinding[] = [];
  for (const [key, list] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of list ?? []) {
      out.push({
        containerPort: Number(port),
        protocol: proto === 'udp' ? 'udp' : 'tcp',
        hostIp: b.HostIp,
        hostPort: Number(b.HostPort),
      });
    }
  }
  return out;
}

/** The agent's view of a container from Docker's inspect output. */
export function fromInspect(info: ContainerInspectInfo): ObservedContainer {
  const s = info.State;
  const state = (states.has(s.Status) ? s.Status : 'dead') as ObservedState;
  const health = (s.Health && healths.has(s.Health.Status) ? s.Health.Status : 'none') as ObservedHealth;
  const startedAt = dockerTime(s.StartedAt);
  const finishedAt = dockerTime(s.FinishedAt);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    labels: info.Config.Labels ?? {},
    image: info.Config.Image,
    imageId: info.Image,
    state,
    ...(state === 'exited' || state === 'dead' ? { exitCode: s.ExitCode } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    health,
    ...(s.OOMKilled ? { oomKilled: true } : {}),
    ...(s.Error ? { error: s.Error } : {}),
    portBindings: portBindings(info.NetworkSettings?.Ports),
    ...networksOf(info),
  };
}

/** The networks the container is attached to, with its address on each (host and none have none). */
function networksOf(info: ContainerInspectInfo): { networks?: ObservedNetworkAttachment[] } {
  const networks = Object.entries(info.NetworkSettings?.Networks ?? {})
    .filter(([name]) => name !== 'host' && name !== 'none')
    .map(([name, n]) => ({
      name,
      ipAddress: n.IPAddress ?? '',
      macAddress: n.MacAddress ?? '',
      ...(n.Gateway ? { gateway: n.Gateway } : {}),
      ...(n.IPPrefixLen ? { prefixLength: n.IPPrefixLen } : {}),
    }));
  return networks.length > 0 ? { networks } : {};
}
