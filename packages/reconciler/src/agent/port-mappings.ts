import { type ContainerDefinition, parsePortRange } from '@baton-ecs/model';
import type { ContainerPortSpec } from './types.js';

/**
 * A container's ports to publish: each `containerPort` with its host port (host mode binds the
 * container port itself; otherwise `hostPort`, 0 asking the engine for a dynamic one), and every port
 * of each `containerPortRange`, published one to one, each on a dynamic host port (ECS's agent gives
 * a range free ephemeral host ports; registration allows ranges in bridge and awsvpc only).
 */
export function containerPortSpecs(
  def: Pick<ContainerDefinition, 'portMappings'>,
  networkMode: 'bridge' | 'host' | 'none' | 'awsvpc',
): ContainerPortSpec[] {
  if (networkMode === 'none') return [];
  return def.portMappings.flatMap((p): ContainerPortSpec[] => {
    const range = p.containerPortRange !== undefined ? parsePortRange(p.containerPortRange) : undefined;
    if (range) {
      return Array.from({ length: range.last - range.first + 1 }, (_, i) => ({
        containerPort: range.first + i,
        hostPort: 0,
        protocol: p.protocol,
      }));
    }
    if (p.containerPort === undefined) return [];
    return [
      {
        containerPort: p.containerPort,
        hostPort: networkMode === 'host' ? p.containerPort : (p.hostPort ?? 0),
        protocol: p.protocol,
      },
    ];
  });
}
