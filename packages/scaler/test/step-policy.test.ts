import { describe, expect, it } from 'vitest';
import {
  adjustedCapacity,
  findStep,
  roundPercentChange,
  type StepAdjustment,
  type StepBounds,
  stepAdjustmentIssues,
} from '../src/index.js';

const s = (lower: number | undefined, upper: number | undefined, adj = 1): StepBounds => ({
  MetricIntervalLowerBound: lower,
  MetricIntervalUpperBound: upper,
  ScalingAdjustment: adj,
});
const messages = (steps: StepBounds[], type = 'ChangeInCapacity') =>
  stepAdjustmentIssues(steps, type, 'S').map((i) => `${i.path}: ${i.message}`);

describe('step adjustment validation', () => {
  it.each<[string, StepBounds[], string[]]>([
    ['one open-ended step above the threshold', [s(0, undefined)], []],
    ['one open-ended step below the threshold', [s(undefined, 0, -1)], []],
    ['contiguous steps above', [s(0, 10), s(10, 20, 2), s(20, undefined, 3)], []],
    [
      'contiguous steps across the threshold',
      [s(undefined, -10, -2), s(-10, 0, -1), s(0, 10, 1), s(10, undefined, 2)],
      [],
    ],
    ['steps in any order', [s(20, undefined, 3), s(0, 10), s(10, 20, 2)], []],
    [
      'a step without bounds',
      [s(undefined, undefined)],
      ['S[0]: needs a MetricIntervalLowerBound or a MetricIntervalUpperBound'],
    ],
    [
      'upper not above lower',
      [s(10, 10)],
      ['S[0].MetricIntervalUpperBound: must be greater than the lower bound (got lower 10, upper 10)'],
    ],
    ['a gap', [s(0, 10), s(15, undefined)], ['S: steps 0 and 1 leave a gap between 10 and 15']],
    ['an overlap', [s(0, 10), s(5, undefined)], ['S: steps 0 and 1 overlap between 5 and 10']],
    [
      'two steps open below',
      [s(undefined, 0), s(undefined, -5)],
      ['S: at most one step may have no lower bound (steps 0 and 1 have none)'],
    ],
    [
      'two steps open above',
      [s(0, undefined), s(10, undefined)],
      ['S: at most one step may have no upper bound (steps 0 and 1 have none)'],
    ],
    [
      'a positive upper bound with nothing open above',
      [s(0, 10)],
      [
        'S[0].MetricIntervalUpperBound: is positive (10), so a step with no upper bound must cover what lies above it',
      ],
    ],
    [
      'a negative lower bound with nothing open below',
      [s(-10, 0, -1)],
      [
        'S[0].MetricIntervalLowerBound: is negative (-10), so a step with no lower bound must cover what lies below it',
      ],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(messages(steps)).toEqual(expected);
  });

  it('ExactCapacity never asks for a negative count', () => {
    expect(messages([s(0, undefined, -1)], 'ExactCapacity')).toEqual([
      'S[0].ScalingAdjustment: must be at least 0 for ExactCapacity (got -1)',
    ]);
  });
});

describe('step selection', () => {
  const steps: StepAdjustment[] = [
    { MetricIntervalUpperBound: -10, ScalingAdjustment: -2 },
    { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
    { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
  ];
  it.each<[number, boolean, number | undefined]>([
    // Threshold 50. Above it: [lower, upper).
    [50, true, 1],
    [59.9, true, 1],
    [60, true, 3],
    [500, true, 3],
    // Below it: (lower, upper].
    [50, false, -1],
    [40.1, false, -1],
    [40, false, -2],
    [-5, false, -2],
  ])('metric %d (alarm watches above: %s) → adjustment %d', (metric, above, expected) => {
    expect(findStep(steps, metric, 50, above)?.ScalingAdjustment).toBe(expected);
  });

  it('a breach outside every step selects nothing', () => {
    expect(findStep([{ MetricIntervalLowerBound: 10, ScalingAdjustment: 1 }], 55, 50, true)).toBeUndefined();
  });
});

describe('adjustment arithmetic', () => {
  it.each<[number, number]>([
    [12.7, 12],
    [1, 1],
    [0.4, 1],
    [0, 0],
    [-0.4, -1],
    [-1, -1],
    [-6.67, -6],
  ])('rounds a percent change of %d tasks to %d', (change, expected) => {
    expect(roundPercentChange(change)).toBe(expected);
  });

  it.each<[Parameters<typeof adjustedCapacity>, number]>([
    [['ChangeInCapacity', 2, 4], 6],
    [['ChangeInCapacity', -3, 4], 1],
    [['ExactCapacity', 7, 4], 7],
    [['PercentChangeInCapacity', 50, 10], 15],
    [['PercentChangeInCapacity', 25, 4], 5],
    // AAS's example: 25 % of 4 is 1, but MinAdjustmentMagnitude 2 adds 2.
    [['PercentChangeInCapacity', 25, 4, 2], 6],
    [['PercentChangeInCapacity', -50, 5], 3],
    [['PercentChangeInCapacity', -10, 3, 2], 1],
    [['PercentChangeInCapacity', 200, 10], 30],
    [['PercentChangeInCapacity', 10, 0], 0],
    [['PercentChangeInCapacity', 10, 0, 1], 1],
  ])('%j → %d', (args, expected) => {
    expect(adjustedCapacity(...args)).toBe(expected);
  });
});
