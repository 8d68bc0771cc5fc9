import type { Service } from '@baton-ecs/model';
import type { ServiceCapacityState } from './engine.js';

/**
 * The scaler's view of a stored service: its desired and running counts, and whether a
 * deployment is rolling out (AAS holds dynamic scale-in until it finishes).
 */
export function serviceCapacityState(
  service: Pick<Service, 'desiredCount' | 'deployments'> & Partial<Pick<Service, 'runningCount'>>,
): ServiceCapacityState {
  return {
    desiredCount: service.desiredCount ?? 0,
    ...(service.runningCount !== undefined && { runningCount: service.runningCount }),
    deploymentInProgress:
      service.deployments.some((d) => d.rolloutState === 'IN_PROGRESS' && d.status === 'PRIMARY') ||
      service.deployments.filter((d) => d.status !== 'INACTIVE').length > 1,
  };
}
