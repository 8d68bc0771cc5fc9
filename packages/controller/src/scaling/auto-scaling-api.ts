import { formatIssue, type ValidationIssue } from '@baton-ecs/model';
import {
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

/**
 * Application Auto Scaling's API for Baton's services (`baton.autoScaling`):
 * the AWS names and shapes; each service's configuration is one stored
 * record the scaling controller watches.
 */
export class AutoScalingApi {
  constructor(
    private readonly store: Store<BatonKinds>,
    private readonly scaling: ScalingController,
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
    return this.putScalingConfiguration({ ...current, ScalingPolicies: [...policies, policy] });
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
    return this.putScalingConfiguration({ ...current, ScheduledActions: [...actions, action] });
  }

  /** DeregisterScalableTarget: the service stops scaling (its desired count stays where it is). */
  async deregisterScalableTarget(request: { readonly ResourceId: string }): Promise<void> {
    checkAasRequest('deregisterScalableTarget', request);
    await this.store.delete('ScalingConfiguration', request.ResourceId).catch(() => undefined);
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

  private async currentScaling(resourceId: string): Promise<Record<string, unknown>> {
    return { ...((await this.store.get('ScalingConfiguration', resourceId))?.object.configuration ?? {}) };
  }
}
