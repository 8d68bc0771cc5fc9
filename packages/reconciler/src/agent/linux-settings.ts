import type { ContainerDefinition } from '@baton-ecs/model';
import type { ContainerLinuxSpec } from './types.js';

/**
 * `linuxParameters`, `systemControls` and `dockerSecurityOptions` as the engine takes them.
 * Capabilities keep ECS's names (Docker accepts them with or without `CAP_`); device permissions
 * become Docker's `rwm` letters (all three when none are given, as Docker's default).
 */
export function linuxSpec(
  def: Pick<ContainerDefinition, 'linuxParameters' | 'systemControls' | 'dockerSecurityOptions'>,
): ContainerLinuxSpec {
  const lp = def.linuxParameters;
  const letters = { read: 'r', write: 'w', mknod: 'm' } as const;
  return {
    ...(lp?.capabilities?.add?.length ? { capAdd: lp.capabilities.add } : {}),
    ...(lp?.capabilities?.drop?.length ? { capDrop: lp.capabilities.drop } : {}),
    ...(lp?.initProcessEnabled ? { init: true } : {}),
    ...(lp?.devices?.length
      ? {
          devices: lp.devices.map((d) => ({
            hostPath: d.hostPath,
            containerPath: d.containerPath ?? d.hostPath,
            permissions: d.permissions?.length ? d.permissions.map((p) => letters[p]).join('') : 'rwm',
          })),
        }
      : {}),
    ...(lp?.tmpfs?.length
      ? {
          tmpfs: lp.tmpfs.map((t) => ({
            containerPath: t.containerPath,
            options: [`size=${t.size}m`, ...(t.mountOptions ?? [])].join(','),
          })),
        }
      : {}),
    ...(lp?.sharedMemorySize !== undefined ? { shmSizeMiB: lp.sharedMemorySize } : {}),
    ...(lp?.maxSwap !== undefined ? { maxSwapMiB: lp.maxSwap } : {}),
    // ECS's default swappiness once maxSwap is set is 60 (Docker's too).
    ...(lp?.swappiness !== undefined
      ? { swappiness: lp.swappiness }
      : lp?.maxSwap !== undefined
        ? { swappiness: 60 }
        : {}),
    ...(def.systemControls?.length
      ? { sysctls: Object.fromEntries(def.systemControls.map((s) => [s.namespace, s.value])) }
      : {}),
    ...(def.dockerSecurityOptions?.length ? { securityOptions: def.dockerSecurityOptions } : {}),
  };
}
