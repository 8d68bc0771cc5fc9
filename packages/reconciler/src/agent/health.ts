import type { HealthStatus } from '@baton-ecs/model';
import type { ContainerView } from './container-view.js';

/** A container's ECS health: the engine's verdict while it runs, UNKNOWN otherwise. */
export function containerHealth(view: ContainerView): HealthStatus {
  if (!view.running || !view.def.healthCheck) return 'UNKNOWN';
  const h = view.observed?.health;
  return h === 'healthy' ? 'HEALTHY' : h === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
}

/**
 * A task's health over its essential containers that have a health check: UNHEALTHY beats UNKNOWN
 * beats HEALTHY; UNKNOWN when none has a check (ECS's rule).
 */
export function aggregateHealth(statuses: readonly HealthStatus[]): HealthStatus {
  if (statuses.length === 0) return 'UNKNOWN';
  if (statuses.includes('UNHEALTHY')) return 'UNHEALTHY';
  if (statuses.includes('UNKNOWN')) return 'UNKNOWN';
  return 'HEALTHY';
}

export function taskHealth(views: readonly ContainerView[]): HealthStatus {
  return aggregateHealth(
    views.filter((v) => v.def.essential && v.def.healthCheck !== undefined).map(containerHealth),
  );
}
