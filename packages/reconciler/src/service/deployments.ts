import type { Deployment, Service } from '@baton/model';
import type { RandomSource } from '@baton/scheduler';
import { newDeploymentId } from './ids.js';

/**
 * Makes sure the service's task definition has a PRIMARY deployment. A new
 * revision starts a new PRIMARY; the previous one becomes ACTIVE and drains.
 */
export function ensurePrimaryDeployment(
  deployments: readonly Deployment[],
  taskDefinitionArn: string,
  desiredCount: number,
  now: number,
  random: RandomSource,
): { readonly deployments: Deployment[]; readonly created: Deployment | undefined } {
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary && primary.taskDefinition === taskDefinitionArn)
    return { deployments: [...deployments], created: undefined };
  const created: Deployment = {
    id: newDeploymentId(random),
    status: 'PRIMARY',
    taskDefinition: taskDefinitionArn,
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment in progress.',
  };
  const rest = deployments.map((d) =>
    d.status === 'PRIMARY' ? { ...d, status: 'ACTIVE' as const, updatedAt: now } : d,
  );
  return { deployments: [created, ...rest], created };
}

/**
 * The deployment a rollback returns to: the newest one that completed, other
 * than the failed one.
 */
export function rollbackTarget(deployments: readonly Deployment[], failedId: string): Deployment | undefined {
  return deployments
    .filter((d) => d.id !== failedId && d.rolloutState === 'COMPLETED')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
}

/**
 * Keeps PRIMARY and ACTIVE deployments, and the newest INACTIVE one that had
 * completed (the rollback target once its tasks are gone).
 */
export function pruneDeployments(deployments: readonly Deployment[]): Deployment[] {
  const keep: Deployment[] = [];
  let keptInactive = false;
  for (const d of [...deployments].sort((a, b) => b.createdAt - a.createdAt)) {
    if (d.status !== 'INACTIVE') keep.push(d);
    else if (!keptInactive && d.rolloutState === 'COMPLETED') {
      keep.push(d);
      keptInactive = true;
    }
  }
  return keep;
}

/** The PRIMARY deployment, which ensurePrimaryDeployment guarantees exists. */
export function primaryOf(service: Pick<Service, 'deployments'>): Deployment | undefined {
  return service.deployments.find((d) => d.status === 'PRIMARY');
}
