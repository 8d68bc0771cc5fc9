import { formatIssue, type ValidationIssue } from '@baton-ecs/model';
import {
  alarmActionNames,
  type MetricDatapoint,
  parseScalingConfiguration,
  type ScalingActivity,
  type ScalingConfiguration,
  scheduledActionLimitIssues,
} from '@baton-ecs/scaler';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { BatonApiError } from '../errors.js';
import { checkShape } from '../requests.js';
import { type ScalingController, serviceKeyOfResource } from './scaling-controller.js';

// Application Auto Scaling requests are checked at the edge (the whole configuration then goes through
// the scaler's parser): a malformed call answers ValidationException naming the field, the name the
// Application Auto Scaling API reference gives every operation's invalid-input error (AAS has no
// InvalidParameterException): https://docs.aws.amazon.com/autoscaling/application/APIReference/CommonErrors.html
// and each operation's Errors section, e.g. API_PutScheduledAction.html. A missing target or service
// is ObjectNotFoundException, a quota LimitExceededException.
const ResourceId = z.string().min(1).max(1600);
const aasRequestSchemas = {
  registerScalableTarget: z.looseObject({ ResourceId }),
  putScalingPolicy: z.looseObject({ ResourceId, PolicyName: z.string().min(1).max(256) }),
  putScheduledAction: z.looseObject({ ResourceId, ScheduledActionName: z.string().min(1).max(256) }),
  deregisterScalableTarget: z.looseObject({ ResourceId }),
  describeScalingActivities: z.looseObject({ ResourceId }),
  describe: z.looseObject({
    ServiceNamespace: z.string().min(1),
    ResourceIds: z.array(ResourceId).max(50).optional(),
    ResourceId: ResourceId.optional(),
    ScalableDimension: z.string().min(1).optional(),
  }),
  deleteScalingPolicy: z.looseObject({
    ResourceId,
    PolicyName: z.string().min(1).max(256),
    ServiceNamespace: z.string().min(1),
    ScalableDimension: z.string().min(1),
  }),
  deleteScheduledAction: z.looseObject({
    ResourceId,
    ScheduledActionName: z.string().min(1).max(256),
    ServiceNamespace: z.string().min(1),
    ScalableDimension: z.string().min(1),
  }),
  putMetricData: z
    .array(z.looseObject({ namespace: z.string().min(1), metricName: z.string().min(1), value: z.number() }))
    .max(1000),
} as const;

/** AAS's error for invalid input: ValidationException (LimitExceededException for a quota), each field named. */
export function aasValidationError(what: string, issues: readonly ValidationIssue[]): BatonApiError {
  return new BatonApiError(
    issues.some((i) => i.rule === 'quota') ? 'LimitExceededException' : 'ValidationException',
    `invalid ${what}: ${issues.map(formatIssue).join('; ')}`,
    issues,
  );
}

function checkAasRequest<T>(name: keyof typeof aasRequestSchemas, request: T): T {
  return checkShape(aasRequestSchemas[name], request, (issues) =>
    aasValidationError(`${name} request`, issues),
  );
}

/** The members naming what a policy or scheduled action scales. */
type ResourceOf = Pick<
  ScalingConfiguration['target'],
  'ServiceNamespace' | 'ResourceId' | 'ScalableDimension'
>;

function resourceOf(t: ScalingConfiguration['target']): ResourceOf {
  return {
    ServiceNamespace: t.ServiceNamespace,
    ResourceId: t.ResourceId,
    ScalableDimension: t.ScalableDimension,
  };
}

/**
 * Application Auto Scaling's API for Baton's services (`baton.autoScaling`):
 * the AWS names and shapes; each service's configuration is one stored
 * record the scaling controller watches.
 */
export class AutoScalingApi {
  constructor(
    private readonly store: Store<BatonKinds>,
    private readonly scaling: ScalingController,
    /** CreationTime of policies and scheduled actions (a target's is its record's creation). */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A service's auto scaling at once, in AAS's shapes:
   * `{ ScalableTarget, ScalingPolicies, MetricAlarms, ScheduledActions }`.
   * Replaces what the service had.
   */
  async putScalingConfiguration(json: Readonly<Record<string, unknown>>): Promise<ScalingConfiguration> {
    const parsed = parseScalingConfiguration(json);
    if (isLeft(parsed)) throw aasValidationError('scaling configuration', parsed.left.issues);
    const resourceId = parsed.right.value.target.ResourceId;
    const key = serviceKeyOfResource(resourceId);
    if (!key || !(await this.store.get('Service', key))) {
      throw new BatonApiError(
        'ObjectNotFoundException',
        `ResourceId ${resourceId} names no service (service/<cluster>/<name>).`,
      );
    }
    const record = { resourceId, configuration: JSON.parse(JSON.stringify(json)) as Record<string, unknown> };
    const existing = await this.store.get('ScalingConfiguration', resourceId);
    if (existing)
      await this.store.update('ScalingConfiguration', resourceId, record, { ifVersion: existing.version });
    else await this.store.create('ScalingConfiguration', record);
    return parsed.right.value;
  }

  /** RegisterScalableTarget: creates or updates the service's target, keeping its policies. */
  async registerScalableTarget(target: Readonly<Record<string, unknown>>): Promise<ScalingConfiguration> {
    checkAasRequest('registerScalableTarget', target);
    const current = await this.currentScaling(String(target.ResourceId ?? ''));
    return this.putScalingConfiguration({
      ...current,
      ScalableTarget: { ...(current.ScalableTarget as object), ...target },
    });
  }

  /** PutScalingPolicy: adds or replaces a policy (by PolicyName) on a registered target. */
  async putScalingPolicy(policy: Readonly<Record<string, unknown>>): Promise<ScalingConfiguration> {
    checkAasRequest('putScalingPolicy', policy);
    const current = await this.currentScaling(String(policy.ResourceId ?? ''));
    if (!current.ScalableTarget)
      throw new BatonApiError(
        'ObjectNotFoundException',
        `No scalable target registered for ${String(policy.ResourceId)}.`,
      );
    const policies = ((current.ScalingPolicies as Record<string, unknown>[] | undefined) ?? []).filter(
      (p) => p.PolicyName !== policy.PolicyName,
    );
    const previous = (current.ScalingPolicies as Record<string, unknown>[] | undefined)?.find(
      (p) => p.PolicyName === policy.PolicyName,
    );
    const stamped = { ...policy, CreationTime: previous?.CreationTime ?? this.now() };
    return this.putScalingConfiguration({ ...current, ScalingPolicies: [...policies, stamped] });
  }

  /** PutScheduledAction: adds or replaces a scheduled action (by ScheduledActionName). */
  async putScheduledAction(action: Readonly<Record<string, unknown>>): Promise<ScalingConfiguration> {
    checkAasRequest('putScheduledAction', action);
    const current = await this.currentScaling(String(action.ResourceId ?? ''));
    if (!current.ScalableTarget)
      throw new BatonApiError(
        'ObjectNotFoundException',
        `No scalable target registered for ${String(action.ResourceId)}.`,
      );
    const target = current.ScalableTarget as { MinCapacity: number; MaxCapacity: number };
    const limits = (action.ScalableTargetAction ?? {}) as { MinCapacity?: number; MaxCapacity?: number };
    const crossing = scheduledActionLimitIssues(limits, target);
    if (crossing.length > 0) throw aasValidationError('PutScheduledAction request', crossing);
    const actions = ((current.ScheduledActions as Record<string, unknown>[] | undefined) ?? []).filter(
      (a) => a.ScheduledActionName !== action.ScheduledActionName,
    );
    const previous = (current.ScheduledActions as Record<string, unknown>[] | undefined)?.find(
      (a) => a.ScheduledActionName === action.ScheduledActionName,
    );
    const stamped = { ...action, CreationTime: previous?.CreationTime ?? this.now() };
    return this.putScalingConfiguration({ ...current, ScheduledActions: [...actions, stamped] });
  }

  /** DeregisterScalableTarget: the service stops scaling (its desired count stays where it is). */
  async deregisterScalableTarget(request: { readonly ResourceId: string }): Promise<void> {
    checkAasRequest('deregisterScalableTarget', request);
    if (!(await this.store.get('ScalingConfiguration', request.ResourceId)))
      throw new BatonApiError(
        'ObjectNotFoundException',
        `No scalable target registered for service namespace: ecs, resource ID: ${request.ResourceId}, scalable dimension: ecs:service:DesiredCount`,
      );
    await this.store.delete('ScalingConfiguration', request.ResourceId);
  }

  /**
   * DescribeScalableTargets: the registered services (all, or `ResourceIds`), by ResourceId, each
   * with its CreationTime. Another namespace or dimension has none (Baton scales ECS services only).
   */
  async describeScalableTargets(request: {
    readonly ServiceNamespace: string;
    readonly ResourceIds?: readonly string[];
    readonly ScalableDimension?: string;
  }): Promise<{ ScalableTargets: (ScalingConfiguration['target'] & { CreationTime: number })[] }> {
    checkAasRequest('describe', request);
    const ids =
      request.ResourceIds && request.ResourceIds.length > 0 ? new Set(request.ResourceIds) : undefined;
    return {
      ScalableTargets: (await this.configurations(request))
        .filter((c) => !ids || ids.has(c.resourceId))
        .map((c) => ({ ...c.value.target, CreationTime: c.value.target.CreationTime ?? c.createdAt })),
    };
  }

  /** DescribeScalingPolicies: by ResourceId, then PolicyName; optionally one service's or some names. */
  async describeScalingPolicies(request: {
    readonly ServiceNamespace: string;
    readonly ResourceId?: string;
    readonly ScalableDimension?: string;
    readonly PolicyNames?: readonly string[];
  }): Promise<{ ScalingPolicies: (ScalingConfiguration['policies'][number] & ResourceOf)[] }> {
    checkAasRequest('describe', request);
    const names =
      request.PolicyNames && request.PolicyNames.length > 0 ? new Set(request.PolicyNames) : undefined;
    return {
      ScalingPolicies: (await this.configurations(request))
        .filter((c) => request.ResourceId === undefined || c.resourceId === request.ResourceId)
        .flatMap((c) =>
          [...c.value.policies]
            .filter((p) => !names || names.has(p.PolicyName))
            .sort((a, b) => (a.PolicyName < b.PolicyName ? -1 : 1))
            .map((p) => ({
              ...resourceOf(c.value.target),
              ...p,
              CreationTime: p.CreationTime ?? c.createdAt,
            })),
        ),
    };
  }

  /** DescribeScheduledActions: by ResourceId, then ScheduledActionName. */
  async describeScheduledActions(request: {
    readonly ServiceNamespace: string;
    readonly ResourceId?: string;
    readonly ScalableDimension?: string;
    readonly ScheduledActionNames?: readonly string[];
  }): Promise<{ ScheduledActions: (ScalingConfiguration['scheduledActions'][number] & ResourceOf)[] }> {
    checkAasRequest('describe', request);
    const names =
      request.ScheduledActionNames && request.ScheduledActionNames.length > 0
        ? new Set(request.ScheduledActionNames)
        : undefined;
    return {
      ScheduledActions: (await this.configurations(request))
        .filter((c) => request.ResourceId === undefined || c.resourceId === request.ResourceId)
        .flatMap((c) =>
          [...c.value.scheduledActions]
            .filter((a) => !names || names.has(a.ScheduledActionName))
            .sort((a, b) => (a.ScheduledActionName < b.ScheduledActionName ? -1 : 1))
            .map((a) => ({
              ...resourceOf(c.value.target),
              ...a,
              CreationTime: a.CreationTime ?? c.createdAt,
            })),
        ),
    };
  }

  /** DeleteScalingPolicy, with the alarms that only triggered it. */
  async deleteScalingPolicy(request: {
    readonly ResourceId: string;
    readonly PolicyName: string;
    readonly ServiceNamespace: string;
    readonly ScalableDimension: string;
  }): Promise<void> {
    checkAasRequest('deleteScalingPolicy', request);
    const current = await this.currentScaling(request.ResourceId);
    const policies = (current.ScalingPolicies as Record<string, unknown>[] | undefined) ?? [];
    const policy = policies.find((p) => p.PolicyName === request.PolicyName);
    if (!policy)
      throw new BatonApiError(
        'ObjectNotFoundException',
        `No scaling policy found for service namespace: ${request.ServiceNamespace}, resource ID: ${request.ResourceId}, scalable dimension: ${request.ScalableDimension}, policy name: ${request.PolicyName}`,
      );
    const named = { PolicyName: request.PolicyName, PolicyARN: policy.PolicyARN as string | undefined };
    const alarms = ((current.MetricAlarms as Record<string, unknown>[] | undefined) ?? []).flatMap((a) => {
      const actions = ((a.AlarmActions as string[] | undefined) ?? []).filter(
        (x) => !alarmActionNames(x, named),
      );
      return actions.length === 0 ? [] : [{ ...a, AlarmActions: actions }];
    });
    await this.putScalingConfiguration({
      ...current,
      ScalingPolicies: policies.filter((p) => p !== policy),
      MetricAlarms: alarms,
    });
  }

  /** DeleteScheduledAction. */
  async deleteScheduledAction(request: {
    readonly ResourceId: string;
    readonly ScheduledActionName: string;
    readonly ServiceNamespace: string;
    readonly ScalableDimension: string;
  }): Promise<void> {
    checkAasRequest('deleteScheduledAction', request);
    const current = await this.currentScaling(request.ResourceId);
    const actions = (current.ScheduledActions as Record<string, unknown>[] | undefined) ?? [];
    if (!actions.some((a) => a.ScheduledActionName === request.ScheduledActionName))
      throw new BatonApiError(
        'ObjectNotFoundException',
        `No scheduled action found for service namespace: ${request.ServiceNamespace}, resource ID: ${request.ResourceId}, scalable dimension: ${request.ScalableDimension}, scheduled action name: ${request.ScheduledActionName}`,
      );
    await this.putScalingConfiguration({
      ...current,
      ScheduledActions: actions.filter((a) => a.ScheduledActionName !== request.ScheduledActionName),
    });
  }

  /** DescribeScalingActivities: newest first. */
  describeScalingActivities(request: { readonly ResourceId: string }): {
    ScalingActivities: readonly ScalingActivity[];
  } {
    checkAasRequest('describeScalingActivities', request);
    return { ScalingActivities: this.scaling.activities(request.ResourceId) };
  }

  /** PutMetricData: custom metrics for the services' alarms. */
  putMetricData(datapoints: readonly MetricDatapoint[]): void {
    checkAasRequest('putMetricData', datapoints);
    this.scaling.putMetricData(datapoints);
  }

  /** The stored configurations in the namespace and dimension asked for, by ResourceId. */
  private async configurations(request: {
    readonly ServiceNamespace: string;
    readonly ScalableDimension?: string;
  }): Promise<{ resourceId: string; createdAt: number; value: ScalingConfiguration }[]> {
    if (request.ServiceNamespace !== 'ecs') return [];
    if (request.ScalableDimension !== undefined && request.ScalableDimension !== 'ecs:service:DesiredCount')
      return [];
    const { items } = await this.store.list('ScalingConfiguration');
    return items
      .flatMap((e) => {
        const parsed = parseScalingConfiguration(e.object.configuration);
        return isLeft(parsed)
          ? []
          : [{ resourceId: e.object.resourceId, createdAt: e.createdAt, value: parsed.right.value }];
      })
      .sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1));
  }

  private async currentScaling(resourceId: string): Promise<Record<string, unknown>> {
    return { ...((await this.store.get('ScalingConfiguration', resourceId))?.object.configuration ?? {}) };
  }
}
