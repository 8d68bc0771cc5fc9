import type { Deployment, Service } from '@baton-ecs/model';
import type { RandomSource } from '@baton-ecs/scheduler';
import { newDeploymentId } from './ids.js';

/**
 * Makes sure the service's task definition has a PRIMARY deployment. A new
 * revision starts a new PRIMARY; the previous one becomes ACTIVE and drains.
 * `force` (UpdateService's forceNewDeployment) starts a new PRIMARY of the same
 * revision all the same.
 */
export function ensurePrimaryDeployment(
  deployments: readonly Deployment[],
  taskDefinitionArn: string,
  desiredCount: number,
  now: number,
  random: RandomSource,
  force = false,
): { readonly deployments: Deployment[]; readonly created: Deployment | undefined } {
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary && primary.taskDefinition === taskDefinitionArn && !force)
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
 * Rolls back to `target`: an ACTIVE deployment that still runs its tasks
 * becomes PRIMARY again (no churn); an INACTIVE one is redeployed, with the
 * image digests it ran (ECS: a rollback uses the last successful revision's
 * digests, not the tags resolved again).
 */
export function rollBackTo(
  deployments: readonly Deployment[],
  target: Deployment,
  desiredCount: number,
  now: number,
  random: RandomSource,
): Deployment[] {
  if (target.status !== 'ACTIVE') {
    const { deployments: next, created } = ensurePrimaryDeployment(
      deployments,
      target.taskDefinition,
      desiredCount,
      now,
      random,
    );
    if (!created || target.containerImages === undefined) return next;
    return next.map((d) => (d.id === created.id ? { ...d, containerImages: target.containerImages } : d));
  }
  return deployments.map((d) => {
    if (d.id === target.id)
      return { ...d, status: 'PRIMARY' as const, rolloutState: 'IN_PROGRESS' as const, updatedAt: now };
    if (d.status === 'PRIMARY') return { ...d, status: 'ACTIVE' as const, updatedAt: now };
    return d;
  });
}

/**
 * Keeps PRIMARY and ACTIVE deployments, the newest INACTIVE one that
 * completed (the rollback target once its tasks are gone), and the newest
 * INACTIVE one that failed (so DescribeServices still says why).
 */
export function pruneDeployments(deployments: readonly Deployment[]): Deployment[] {
  if (deployments.length === 1 && deployments[0]!.status !== 'INACTIVE') return deployments as Deployment[];
  const keep: Deployment[] = [];
  const kept = new Set<string>();
  for (const d of [...deployments].sort((a, b) => b.createdAt - a.createdAt)) {
    if (d.status !== 'INACTIVE') keep.push(d);
    else if ((d.rolloutState === 'COMPLETED' || d.rolloutState === 'FAILED') && !kept.has(d.rolloutState)) {
      keep.push(d);
      kept.add(d.rolloutState);
    }
  }
  return keep;
}

/**
 * The deployments DescribeServices shows: all but an INACTIVE one that completed. ECS lists a
 * replaced deployment no more once its tasks are gone (`aws ecs wait services-stable` waits for a
 * single deployment); Baton keeps that one only as its rollback target. An INACTIVE deployment that
 * FAILED stays visible, to say why.
 */
export function describedDeployments(deployments: readonly Deployment[]): readonly Deployment[] {
  return deployments.some((d) => d.status === 'INACTIVE' && d.rolloutState === 'COMPLETED')
    ? deployments.filter((d) => !(d.status === 'INACTIVE' && d.rolloutState === 'COMPLETED'))
    : deployments;
}

/** The PRIMARY deployment, which ensurePrimaryDeployment guarantees exists. */
export function primaryOf(service: Pick<Service, 'deployments'>): Deployment | undefined {
  return service.deployments.find((d) => d.status === 'PRIMARY');
}
