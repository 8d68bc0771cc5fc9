import type { ValidationIssue } from '@baton-ecs/model';

/** A step as the user wrote it, before any defaulting: bounds absent mean infinite. */
export interface StepBounds {
  readonly MetricIntervalLowerBound?: number | undefined;
  readonly MetricIntervalUpperBound?: number | undefined;
  readonly ScalingAdjustment?: number | undefined;
}

const andList = (xs: readonly number[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

const fmt = (v: number | undefined, side: 'lower' | 'upper') =>
  v === undefined ? (side === 'lower' ? '-infinity' : '+infinity') : String(v);

/**
 * AAS's rules for step adjustments: every step has a bound; lower < upper;
 * at most one step is open below and one open above; the ranges neither
 * overlap nor leave a gap; a negative lower bound needs a step open below and
 * a positive upper bound one open above (so the steps reach out to infinity
 * on each side of the threshold they cover); ExactCapacity adjusts to a
 * count, never below zero.
 */
export function stepAdjustmentIssues(
  steps: readonly StepBounds[],
  adjustmentType: string | undefined,
  path = 'StepScalingPolicyConfiguration.StepAdjustments',
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (p: string, rule: string, message: string) => issues.push({ path: p, rule, message });
  const valid: { index: number; lower: number; upper: number }[] = [];
  steps.forEach((s, i) => {
    const lower = s.MetricIntervalLowerBound;
    const upper = s.MetricIntervalUpperBound;
    if (lower === undefined && upper === undefined) {
      add(`${path}[${i}]`, 'step-bounds', 'needs a MetricIntervalLowerBound or a MetricIntervalUpperBound');
      return;
    }
    if (lower !== undefined && upper !== undefined && !(upper > lower)) {
      add(
        `${path}[${i}].MetricIntervalUpperBound`,
        'step-bounds',
        `must be greater than the lower bound (got lower ${lower}, upper ${upper})`,
      );
      return;
    }
    if (adjustmentType === 'ExactCapacity' && s.ScalingAdjustment !== undefined && s.ScalingAdjustment < 0) {
      add(
        `${path}[${i}].ScalingAdjustment`,
        'exact-capacity',
        `must be at least 0 for ExactCapacity (got ${s.ScalingAdjustment})`,
      );
    }
    valid.push({ index: i, lower: lower ?? -Infinity, upper: upper ?? Infinity });
  });

  const openBelow = valid.filter((s) => s.lower === -Infinity).map((s) => s.index);
  const openAbove = valid.filter((s) => s.upper === Infinity).map((s) => s.index);
  if (openBelow.length > 1)
    add(
      path,
      'step-open-bound',
      `at most one step may have no lower bound (steps ${andList(openBelow)} have none)`,
    );
  if (openAbove.length > 1)
    add(
      path,
      'step-open-bound',
      `at most one step may have no upper bound (steps ${andList(openAbove)} have none)`,
    );
  for (const s of valid) {
    if (s.lower < 0 && s.lower !== -Infinity && openBelow.length === 0)
      add(
        `${path}[${s.index}].MetricIntervalLowerBound`,
        'step-open-bound',
        `is negative (${s.lower}), so a step with no lower bound must cover what lies below it`,
      );
    if (s.upper > 0 && s.upper !== Infinity && openAbove.length === 0)
      add(
        `${path}[${s.index}].MetricIntervalUpperBound`,
        'step-open-bound',
        `is positive (${s.upper}), so a step with no upper bound must cover what lies above it`,
      );
  }
  if (openBelow.length > 1 || openAbove.length > 1) return issues;

  const sorted = [...valid].sort((a, b) => a.lower - b.lower || a.upper - b.upper);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.lower < prev.upper)
      add(
        path,
        'step-overlap',
        `steps ${prev.index} and ${next.index} overlap between ${fmt(next.lower, 'lower')} and ${fmt(Math.min(prev.upper, next.upper), 'upper')}`,
      );
    else if (next.lower > prev.upper)
      add(
        path,
        'step-gap',
        `steps ${prev.index} and ${next.index} leave a gap between ${fmt(prev.upper, 'upper')} and ${fmt(next.lower, 'lower')}`,
      );
  }
  return issues;
}
