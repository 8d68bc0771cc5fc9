import { describe, expect, it } from 'vitest';
import { nextFireTime, ScalingEngine } from '../src/index.js';
import { configuration, cpu, cpuPolicy, minutes, scheduled, target } from './helpers.js';

describe('scaling engine', () => {
  it('moves the desired count into limits a scheduled action set before the count was known', () => {
    const engine = new ScalingEngine();
    const config = configuration({
      scheduledActions: [scheduled('peak', 'rate(1 hour)', { MinCapacity: 15 })],
    });
    engine.handle({ type: 'configuration', at: 0, configuration: config });
    const limits = engine.handle({ type: 'scheduled-action', at: 1000, scheduledActionName: 'peak' });
    // MinCapacity 15 is past MaxCapacity 20? No: 15 ≤ 20; the maximum stays.
    expect(limits.map((a) => a.Description)).toEqual(['Setting min capacity to 15 and max capacity to 20.']);
    const moved = engine.handle({ type: 'service', at: 2000, service: { desiredCount: 3 } });
    expect(moved).toMatchObject([
      {
        Description: 'Setting desired count to 15.',
        Cause: 'scheduled action name peak was triggered',
        Trigger: { type: 'scheduled-action', ScheduledActionName: 'peak' },
      },
    ]);
  });

  it('a limit the action sets wins over the one it leaves alone', () => {
    const engine = new ScalingEngine();
    engine.handle({
      type: 'configuration',
      at: 0,
      configuration: configuration({
        target: target({ MinCapacity: 1, MaxCapacity: 10 }),
        scheduledActions: [
          scheduled('up', 'rate(1 hour)', { MinCapacity: 15 }),
          scheduled('down', 'rate(1 hour)', { MaxCapacity: 0 }),
        ],
      }),
    });
    engine.handle({ type: 'service', at: 0, service: { desiredCount: 5 } });
    expect(
      engine.handle({ type: 'scheduled-action', at: 1, scheduledActionName: 'up' }).map((a) => a.Description),
    ).toEqual(['Setting min capacity to 15 and max capacity to 15.', 'Setting desired count to 15.']);
    expect(
      engine
        .handle({ type: 'scheduled-action', at: 2, scheduledActionName: 'down' })
        .map((a) => a.Description),
    ).toEqual(['Setting min capacity to 0 and max capacity to 0.', 'Setting desired count to 0.']);
  });

  it('keeps an alarm’s samples across a configuration change that reads the same metric', () => {
    const engine = new ScalingEngine({ activityId: (at, n) => `act-${at}-${n}` });
    engine.handle({
      type: 'configuration',
      at: 0,
      configuration: configuration({ policies: [cpuPolicy('cpu', { TargetValue: 80 })] }),
    });
    engine.handle({ type: 'service', at: 0, service: { desiredCount: 2 } });
    for (let m = 0; m < 3; m++) engine.handle({ type: 'datapoint', at: minutes(m) + 1, datapoint: cpu(60) });
    expect(engine.handle({ type: 'evaluate', at: minutes(3) })).toEqual([]);
    // A lower target over the same metric: the three periods already seen now breach it.
    engine.handle({
      type: 'configuration',
      at: minutes(3),
      configuration: configuration({ policies: [cpuPolicy('cpu', { TargetValue: 50 })] }),
    });
    const [a] = engine.handle({ type: 'evaluate', at: minutes(3) + 1 });
    expect(a).toMatchObject({ ActivityId: `act-${minutes(3) + 1}-1`, DesiredCount: 3 });
    expect(engine.snapshot().alarms.find((x) => x.name.includes('AlarmHigh'))?.state).toBe('ALARM');
  });

  it('drops the alarms of removed policies', () => {
    const engine = new ScalingEngine();
    engine.handle({
      type: 'configuration',
      at: 0,
      configuration: configuration({ policies: [cpuPolicy()] }),
    });
    expect(engine.snapshot().alarms).toHaveLength(2);
    engine.handle({ type: 'configuration', at: 1, configuration: configuration({}) });
    expect(engine.snapshot().alarms).toEqual([]);
  });

  it('counts a rate() from when it first saw the action, unless it has a creation time', () => {
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    const engine = new ScalingEngine();
    const config = configuration({
      scheduledActions: [
        scheduled('seen', 'rate(10 minutes)', { MinCapacity: 1 }),
        scheduled(
          'created',
          'rate(10 minutes)',
          { MinCapacity: 1 },
          { CreationTime: '2024-01-01T00:03:00Z' },
        ),
      ],
    });
    engine.handle({ type: 'configuration', at: t0 + minutes(7), configuration: config });
    engine.handle({ type: 'configuration', at: t0 + minutes(8), configuration: config });
    expect(
      engine.schedules().map((s) => [s.name, (nextFireTime(s.schedule, t0 + minutes(8)) ?? 0) - t0]),
    ).toEqual([
      ['seen', minutes(17)],
      ['created', minutes(13)],
    ]);
  });
});
