import { parseScalableTarget, parseScalingPolicy } from '@baton-ecs/scaler';
import { isLeft } from 'fp-ts/lib/Either.js';
import { canonical } from './field-diff.js';

/**
 * Application Auto Scaling documents in their AWS shapes: a RegisterScalableTarget request
 * (`ScalableDimension` with `MinCapacity`/`MaxCapacity`) or a PutScalingPolicy request
 * (`PolicyName` with `PolicyType` or a policy configuration). Both calls create or replace, so
 * apply calls them only when the declaration differs from what DescribeScalable­Targets /
 * DescribeScalingPolicies return, compared after both are parsed by the scaler's own schemas.
 */
export type ScalingKind = 'scalableTarget' | 'scalingPolicy';

export function scalingKindOf(raw: Record<string, unknown>): ScalingKind | undefined {
  if (
    'PolicyName' in raw &&
    ('PolicyType' in raw ||
      'TargetTrackingScalingPolicyConfiguration' in raw ||
      'StepScalingPolicyConfiguration' in raw)
  )
    return 'scalingPolicy';
  if ('ScalableDimension' in raw && ('MinCapacity' in raw || 'MaxCapacity' in raw)) return 'scalableTarget';
  return undefined;
}

/** The validation problems of a scaling document as `path: message`, or none. */
export function scalingIssues(kind: ScalingKind, raw: unknown): string[] {
  const r = kind === 'scalableTarget' ? parseScalableTarget(raw) : parseScalingPolicy(raw);
  return isLeft(r) ? r.left.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`) : [];
}

const OUTPUT = [
  'ScalableTargetARN',
  'CreationTime',
  'PredictedCapacity',
  'PolicyARN',
  'Alarms',
  'RoleARN',
  'Tags',
];

/** A scaling resource as comparable data: parsed (defaults filled), without the fields AAS sets. */
export function comparableScaling(kind: ScalingKind, x: unknown): Record<string, unknown> | undefined {
  const r = kind === 'scalableTarget' ? parseScalableTarget(x) : parseScalingPolicy(x);
  if (isLeft(r)) return undefined;
  const out: Record<string, unknown> = { ...(r.right.value as Record<string, unknown>) };
  for (const k of OUTPUT) delete out[k];
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return JSON.parse(canonical(out)) as Record<string, unknown>;
}

/** Which live resource a declaration is: its kind, resource, dimension and (for a policy) name. */
export function scalingKey(kind: ScalingKind, raw: Record<string, unknown>): string {
  return [
    kind,
    raw.ServiceNamespace,
    raw.ResourceId,
    raw.ScalableDimension,
    kind === 'scalingPolicy' ? raw.PolicyName : '',
  ].join('|');
}

/** The declaration as a request: without the fields AAS sets (describe output applies as it is). */
export function scalingRequest(raw: Record<string, unknown>): Record<string, unknown> {
  const out = { ...raw };
  for (const k of OUTPUT) if (k !== 'RoleARN' && k !== 'Tags') delete out[k];
  return out;
}

/** How the resource is named in plans and errors. */
export function scalingName(kind: ScalingKind, raw: Record<string, unknown>): string {
  return kind === 'scalableTarget'
    ? `scalable target "${String(raw.ResourceId)}"`
    : `scaling policy "${String(raw.PolicyName)}" (${String(raw.ResourceId)})`;
}
