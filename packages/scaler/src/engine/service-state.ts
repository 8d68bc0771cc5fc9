import type { Service } from '@baton-ecs/model';
import type { ServiceCapacityState } from './engine.js';

/**
 * The scaler's view of a stored service: its desired count, and whether a
 * deployment is rolling out (AAS holds dynamic scale-in until it finishes).
 */
export function serviceCapacityState(
  service: Pick<Service, 'desiredCount' | 'deployments'>,
): ServiceCapacityState {
  return {
    desiredCount: service.desiredCount ?? 0,
    deploymentInProgress:
      service.deployments.some((d) => d.rolloutState === 'IN_PROGRESS' && d.status === 'PRIMARY') ||
      service.deployments.filter((d) => d.status !== 'INACTIVE').length > 1,
  };
}
