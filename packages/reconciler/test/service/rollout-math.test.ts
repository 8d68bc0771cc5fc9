import { describe, expect, it } from 'vitest';
import {
  appendServiceEvents,
  circuitBreakerThreshold,
  deploymentLimitsFor,
  duplicateEventWindowMs,
  launchBackoffMs,
  rolloutBudget,
} from '../../src/index.js';

describe('rolling update arithmetic (ECS examples)', () => {
  it('D=4, min 50, max 100: may stop 2 first, start none', () => {
    const limits = deploymentLimitsFor(4, 50, 100);
    expect(limits).toEqual({ minimumHealthy: 2, maximumTotal: 4 });
    expect(rolloutBudget(limits, { healthy: 4, total: 4 })).toEqual({ canStart: 0, canStopHealthy: 2 });
  });

  it('D=2, min 75, max 100: may stop none and start none', () => {
    const limits = deploymentLimitsFor(2, 75, 100);
    expect(limits).toEqual({ minimumHealthy: 2, maximumTotal: 2 });
    expect(rolloutBudget(limits, { healthy: 2, total: 2 })).toEqual({ canStart: 0, canStopHealthy: 0 });
  });

  it('D=3, min 100, max 125: may start none', () => {
    const limits = deploymentLimitsFor(3, 100, 125);
    expect(limits).toEqual({ minimumHealthy: 3, maximumTotal: 3 });
    expect(rolloutBudget(limits, { healthy: 3, total: 3 })).toEqual({ canStart: 0, canStopHealthy: 0 });
  });

  it.each([
    [10, 100, 200, 10, 20],
    [1, 100, 200, 1, 2],
    [3, 33, 133, 1, 3],
    [0, 100, 200, 0, 0],
    [7, 0, 100, 0, 7],
  ])('D=%d min %d max %d → minimumHealthy %d, maximumTotal %d', (d, min, max, healthy, total) => {
    expect(deploymentLimitsFor(d, min, max)).toEqual({ minimumHealthy: healthy, maximumTotal: total });
  });

  it.each([
    [1, 3],
    [2, 3],
    [6, 3],
    [7, 4],
    [25, 13],
    [399, 200],
    [400, 200],
    [1000, 200],
  ])('circuit breaker threshold for D=%d is %d', (d, threshold) => {
    expect(circuitBreakerThreshold(d)).toBe(threshold);
  });
});

describe('service events', () => {
  let n = 0;
  const id = () => `e${++n}`;

  it('adds newest first and caps at 100', () => {
    let events = appendServiceEvents([], ['a', 'b'], 1000, id).events;
    expect(events.map((e) => e.message)).toEqual(['b', 'a']);
    for (let i = 0; i < 150; i++) events = appendServiceEvents(events, [`m${i}`], 2000 + i, id).events;
    expect(events).toHaveLength(100);
    expect(events[0]!.message).toBe('m149');
  });

  it('suppresses an identical consecutive message for 6 hours', () => {
    const first = appendServiceEvents([], ['steady'], 0, id);
    const again = appendServiceEvents(first.events, ['steady'], duplicateEventWindowMs - 1, id);
    expect(again.added).toEqual([]);
    expect(again.events).toBe(first.events);
    const later = appendServiceEvents(first.events, ['steady'], duplicateEventWindowMs, id);
    expect(later.added.map((e) => e.message)).toEqual(['steady']);
    const other = appendServiceEvents(first.events, ['other', 'steady'], 10, id);
    expect(other.added.map((e) => e.message)).toEqual(['other', 'steady']);
  });
});

describe('launch back-off', () => {
  it('doubles from 5 s and caps at 27 minutes', () => {
    expect([0, 1, 2, 3, 4].map(launchBackoffMs)).toEqual([0, 5_000, 10_000, 20_000, 40_000]);
    expect(launchBackoffMs(9)).toBe(1_280_000);
    expect(launchBackoffMs(10)).toBe(27 * 60_000);
    expect(launchBackoffMs(500)).toBe(27 * 60_000);
  });
});
