/**
 * ECS's CapacityProviderReservation: M instances needed for every task
 * (running and waiting) over N instances there are, as a percentage. With
 * none needed and none there it is 100 (nothing to do); with some needed and
 * none there it is 200 (scale out).
 */
export function capacityProviderReservation(required: number, current: number): number {
  if (current === 0) return required === 0 ? 100 : 200;
  return (required / current) * 100;
}

/**
 * The instance count that brings the reservation to `targetCapacity`
 * percent: ceil(M × 100 / target). Below 100 % it keeps spare instances.
 */
export function instancesForTarget(required: number, targetCapacity: number): number {
  if (required === 0) return 0;
  return Math.ceil((required * 100) / targetCapacity - 1e-9);
}
