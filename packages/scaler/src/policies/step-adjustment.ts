import type { AdjustmentType, StepAdjustment } from '../resources/scaling-policy.js';

/**
 * The step whose interval holds `metric - threshold`. Above the threshold a
 * step's lower bound is inclusive and its upper bound exclusive; below it,
 * the other way round (AAS's rule). `above` says which side the alarm
 * watches: true for GreaterThan… alarms, so a metric exactly at the
 * threshold picks the step starting at 0.
 */
export function findStep(
  steps: readonly StepAdjustment[],
  metric: number,
  threshold: number,
  above: boolean,
): StepAdjustment | undefined {
  const breach = metric - threshold;
  return steps.find((s) => {
    const lower = s.MetricIntervalLowerBound ?? -Infinity;
    const upper = s.MetricIntervalUpperBound ?? Infinity;
    return above ? lower <= breach && breach < upper : lower < breach && breach <= upper;
  });
}

/**
 * A percentage of capacity as whole tasks, as Auto Scaling rounds it:
 * above 1 down, between 0 and 1 up to 1, between -1 and 0 down to -1,
 * below -1 up (towards zero).
 */
export function roundPercentChange(change: number): number {
  if (change > 1) return Math.floor(change);
  if (change > 0) return 1;
  if (change === 0) return 0;
  if (change > -1) return -1;
  return Math.ceil(change);
}

/**
 * The capacity one step asks for, from `base` (unclamped).
 * - ChangeInCapacity: base + adjustment.
 * - PercentChangeInCapacity: base + round(base × adjustment / 100), at
 *   least MinAdjustmentMagnitude tasks either way.
 * - ExactCapacity: the adjustment.
 */
export function adjustedCapacity(
  type: AdjustmentType,
  adjustment: number,
  base: number,
  minAdjustmentMagnitude?: number,
): number {
  switch (type) {
    case 'ChangeInCapacity':
      return base + adjustment;
    case 'ExactCapacity':
      return adjustment;
    case 'PercentChangeInCapacity': {
      let change = roundPercentChange((base * adjustment) / 100);
      if (
        minAdjustmentMagnitude !== undefined &&
        adjustment !== 0 &&
        Math.abs(change) < minAdjustmentMagnitude
      )
        change = Math.sign(adjustment) * minAdjustmentMagnitude;
      return base + change;
    }
  }
}
