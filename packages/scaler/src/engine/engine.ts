import { isLeft } from 'fp-ts/lib/Either.js';
import { type AlarmEvaluation, AlarmWindow, evaluateAlarm } from '../metrics/alarm.js';
import { type MetricDatapoint, matchesMetric } from '../metrics/datapoint.js';
import { defaultTargetTrackingOptions, type TargetTrackingOptions } from '../policies/target-tracking.js';
import type { ScalingConfiguration } from '../resources/parse.js';
import { parseSchedule } from '../schedule/expression.js';
import type { FireSchedule } from '../schedule/next-fire.js';
import {
  type ActivityTrigger,
  activityDescription,
  policyCause,
  type ScalingActivity,
  scheduledCause,
} from './activity.js';
import { type CompiledConfiguration, compileConfiguration, sameWindow } from './compile.js';
import { afterChange, type Cooldowns, clamp, decide } from './decide.js';
import { scalingRequests } from './requests.js';

/** What the scaler needs to know about the service it scales. */
export interface ServiceCapacityState {
  readonly desiredCount: number;
  /**
   * The service's running tasks. "During scaling activities, the actual running task count in a
   * service is the value that Service Auto Scaling uses as its starting point, as opposed to the
   * desired count" (ECS developer guide, service auto scaling, considerations:
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html).
   * Unknown: the desired count is the starting point.
   */
  readonly runningCount?: number;
  /** AAS suspends dynamic scale-in while an ECS deployment is in progress. */
  readonly deploymentInProgress?: boolean;
}

/** Everything that moves the scaler, stamped with the time it happened (epoch ms). */
export type ScalerEvent =
  | { readonly type: 'configuration'; readonly at: number; readonly configuration: ScalingConfiguration }
  | { readonly type: 'service'; readonly at: number; readonly service: ServiceCapacityState }
  | { readonly type: 'datapoint'; readonly at: number; readonly datapoint: MetricDatapoint }
  /** Evaluate alarms and policies (every evaluation interval). */
  | { readonly type: 'evaluate'; readonly at: number }
  | { readonly type: 'scheduled-action'; readonly at: number; readonly scheduledActionName: string };

export interface ScalingEngineOptions {
  readonly targetTracking?: Partial<TargetTrackingOptions>;
  /** Activity ids; by default `<StartTime>-<n>`, deterministic. */
  readonly activityId?: (startTime: number, sequence: number) => string;
}

export interface AlarmStatus extends AlarmEvaluation {
  readonly name: string;
}

/** The scaler's view, for inspection and tests. */
export interface ScalerSnapshot {
  readonly desiredCount: number | undefined;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly cooldowns: Cooldowns;
  readonly alarms: readonly AlarmStatus[];
  /** Why the last evaluation's requests did not (all) win. */
  readonly notes: readonly string[];
}

interface AlarmRuntime {
  readonly window: AlarmWindow;
  evaluation: AlarmEvaluation;
}

const initialEvaluation: AlarmEvaluation = {
  state: 'INSUFFICIENT_DATA',
  reason: 'Unchecked: Initial alarm creation',
  datapoints: [],
};

/**
 * The scaler's state machine: events in, scaling activities out. It does no
 * I/O and reads no clock (time comes with each event), so a sequence of
 * events always gives the same activities. `createScaler` drives one from
 * streams; tests can drive one directly.
 */
export class ScalingEngine {
  private compiled: CompiledConfiguration | undefined;
  private minCapacity = 0;
  private maxCapacity = 0;
  private desired: number | undefined;
  private running: number | undefined;
  private deploying = false;
  /** Limits changed before the desired count was known: what changed them, to clamp once it is. */
  private clampPending: ActivityTrigger | undefined;
  private cooldowns: Cooldowns = {};
  private readonly alarms = new Map<string, AlarmRuntime>();
  private readonly firstSeen = new Map<string, number>();
  private sequence = 0;
  private notes: readonly string[] = [];
  private readonly options: TargetTrackingOptions;

  constructor(private readonly engineOptions: ScalingEngineOptions = {}) {
    this.options = { ...defaultTargetTrackingOptions, ...engineOptions.targetTracking };
  }

  handle(event: ScalerEvent): ScalingActivity[] {
    switch (event.type) {
      case 'configuration':
        return this.configure(event.configuration, event.at);
      case 'service':
        this.desired = event.service.desiredCount;
        this.running = event.service.runningCount;
        this.deploying = event.service.deploymentInProgress ?? false;
        return this.clampPending ? this.clampToLimits(event.at, this.clampPending) : [];
      case 'datapoint':
        for (const r of this.alarms.values())
          if (matchesMetric(r.window.spec.metric, event.datapoint))
            r.window.add(event.datapoint.value, event.datapoint.timestamp ?? event.at);
        return [];
      case 'evaluate':
        return this.evaluate(event.at);
      case 'scheduled-action':
        return this.runScheduledAction(event.scheduledActionName, event.at);
    }
  }

  /** When each scheduled action fires, for the driver to set timers by. */
  schedules(): { readonly name: string; readonly schedule: FireSchedule }[] {
    const out: { name: string; schedule: FireSchedule }[] = [];
    for (const a of this.compiled?.configuration.scheduledActions ?? []) {
      const parsed = parseSchedule(a.Schedule);
      if (isLeft(parsed)) continue;
      out.push({
        name: a.ScheduledActionName,
        schedule: {
          expression: parsed.right,
          ...(a.Timezone !== undefined && { timeZone: a.Timezone }),
          ...(a.StartTime !== undefined && { startTime: a.StartTime }),
          ...(a.EndTime !== undefined && { endTime: a.EndTime }),
          anchor: a.CreationTime ?? this.firstSeen.get(a.ScheduledActionName) ?? 0,
        },
      });
    }
    return out;
  }

  snapshot(): ScalerSnapshot {
    return {
      desiredCount: this.desired,
      minCapacity: this.minCapacity,
      maxCapacity: this.maxCapacity,
      cooldowns: this.cooldowns,
      alarms: [...this.alarms].map(([name, r]) => ({ name, ...r.evaluation })),
      notes: this.notes,
    };
  }

  private configure(configuration: ScalingConfiguration, at: number): ScalingActivity[] {
    const previous = this.compiled?.configuration.target;
    this.compiled = compileConfiguration(configuration, this.options);
    for (const [name, spec] of this.compiled.specs) {
      const existing = this.alarms.get(name);
      if (existing && sameWindow(existing.window.spec, spec)) existing.window.spec = spec;
      else this.alarms.set(name, { window: new AlarmWindow(spec), evaluation: initialEvaluation });
    }
    for (const name of [...this.alarms.keys()]) if (!this.compiled.specs.has(name)) this.alarms.delete(name);
    for (const a of configuration.scheduledActions)
      if (!this.firstSeen.has(a.ScheduledActionName)) this.firstSeen.set(a.ScheduledActionName, at);
    const target = configuration.target;
    // Registering a target "changes the resource's current capacity to a value that is inside of this
    // range" at once, whether new or re-registered with other limits (RegisterScalableTarget,
    // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
    // The scaler only serves ACTIVE services (the API's "not active: capacity unchanged" case).
    if (
      previous !== undefined &&
      previous.MinCapacity === target.MinCapacity &&
      previous.MaxCapacity === target.MaxCapacity
    )
      return [];
    this.minCapacity = target.MinCapacity;
    this.maxCapacity = target.MaxCapacity;
    this.clampPending = { type: 'target-limits' };
    return this.clampToLimits(at, this.clampPending);
  }

  private evaluate(at: number): ScalingActivity[] {
    const states = new Map<string, AlarmEvaluation>();
    const ranges = new Map<string, readonly (number | undefined)[]>();
    for (const [name, r] of this.alarms) {
      const range = r.window.datapoints(at);
      ranges.set(name, range);
      r.evaluation = evaluateAlarm(r.window.spec, range, r.evaluation.state);
      states.set(name, r.evaluation);
    }
    const compiled = this.compiled;
    const current = this.desired;
    if (compiled === undefined || current === undefined) return [];
    const running = this.running ?? current;
    const notes: string[] = [];
    const { requests, targetTrackingScaleInAgreed } = scalingRequests(
      compiled,
      states,
      running,
      this.options,
      notes,
      (alarmName) => newestOf(ranges.get(alarmName) ?? []),
    );
    const suspended = compiled.configuration.target.SuspendedState;
    const decision = decide({
      now: at,
      current,
      running,
      minCapacity: this.minCapacity,
      maxCapacity: this.maxCapacity,
      requests,
      targetTrackingScaleInAgreed,
      scaleOutSuspended: suspended.DynamicScalingOutSuspended,
      scaleInSuspended: suspended.DynamicScalingInSuspended || this.deploying,
      cooldowns: this.cooldowns,
    });
    if (this.deploying && decision.change === undefined && requests.some((r) => r.intent === 'in'))
      notes.push('scale-in is suspended while a deployment is in progress');
    this.notes = [...notes, ...decision.notes];
    const change = decision.change;
    if (change === undefined) return [];
    const { request, capacity, base } = change;
    const asked = request.capacityFrom(base);
    const limit =
      asked > capacity
        ? `; limited by the maximum capacity ${this.maxCapacity}`
        : asked < capacity
          ? `; limited by the minimum capacity ${this.minCapacity}`
          : '';
    this.cooldowns = afterChange(this.cooldowns, at, current, capacity);
    this.desired = capacity;
    return [
      this.activity(at, {
        Cause: policyCause(request.alarmName, request.policyName),
        Details: `${request.explain?.(base) ?? ''}${limit}`,
        Trigger: {
          type: 'policy',
          PolicyName: request.policyName,
          PolicyType: request.policyType,
          AlarmName: request.alarmName,
          Direction: change.direction,
        },
        PreviousDesiredCount: current,
        DesiredCount: capacity,
      }),
    ];
  }

  private runScheduledAction(name: string, at: number): ScalingActivity[] {
    const compiled = this.compiled;
    const action = compiled?.configuration.scheduledActions.find((a) => a.ScheduledActionName === name);
    if (compiled === undefined || action === undefined) return [];
    if (compiled.configuration.target.SuspendedState.ScheduledScalingSuspended) {
      this.notes = [`${name}: scheduled scaling is suspended; the action was skipped`];
      return [];
    }
    const { MinCapacity: setMin, MaxCapacity: setMax } = action.ScalableTargetAction;
    let min = setMin ?? this.minCapacity;
    let max = setMax ?? this.maxCapacity;
    // A limit the action sets wins over the one it leaves alone.
    if (min > max) {
      if (setMin !== undefined && setMax === undefined) max = min;
      else min = max;
    }
    this.minCapacity = min;
    this.maxCapacity = max;
    const trigger: ActivityTrigger = { type: 'scheduled-action', ScheduledActionName: name };
    const out = [
      this.activity(at, {
        Cause: scheduledCause(name),
        Trigger: trigger,
        MinCapacity: min,
        MaxCapacity: max,
      }),
    ];
    this.clampPending = trigger;
    out.push(...this.clampToLimits(at, trigger));
    return out;
  }

  /** Moves the desired count into [min, max]; scheduled and registration changes ignore cooldowns. */
  private clampToLimits(at: number, trigger: ActivityTrigger): ScalingActivity[] {
    const current = this.desired;
    if (current === undefined) return [];
    this.clampPending = undefined;
    const next = clamp(current, this.minCapacity, this.maxCapacity);
    if (next === current) return [];
    this.desired = next;
    const which =
      next > current
        ? `below the new minimum capacity ${this.minCapacity}`
        : `above the new maximum capacity ${this.maxCapacity}`;
    return [
      this.activity(at, {
        Cause:
          trigger.type === 'scheduled-action'
            ? scheduledCause(trigger.ScheduledActionName)
            : `the scalable target's capacity limits changed to min ${this.minCapacity} and max ${this.maxCapacity}`,
        Details: `the desired count ${current} was ${which}`,
        Trigger: trigger,
        PreviousDesiredCount: current,
        DesiredCount: next,
      }),
    ];
  }

  private activity(
    at: number,
    fields: Pick<ScalingActivity, 'Cause' | 'Trigger'> &
      Partial<
        Pick<
          ScalingActivity,
          'Details' | 'PreviousDesiredCount' | 'DesiredCount' | 'MinCapacity' | 'MaxCapacity'
        >
      >,
  ): ScalingActivity {
    const n = ++this.sequence;
    const target = this.compiled?.configuration.target;
    return {
      ActivityId: this.engineOptions.activityId?.(at, n) ?? `${at}-${n}`,
      ServiceNamespace: 'ecs',
      ResourceId: target?.ResourceId ?? '',
      ScalableDimension: 'ecs:service:DesiredCount',
      Description: activityDescription(fields),
      StartTime: at,
      StatusCode: 'InProgress',
      ...fields,
    };
  }
}

function newestOf(values: readonly (number | undefined)[]): number | undefined {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== undefined) return values[i];
  return undefined;
}
