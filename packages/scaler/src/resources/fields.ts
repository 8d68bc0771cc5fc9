import { ecsObject, intAtLeast, intBetween, show } from '@baton-ecs/model';
import { z } from 'zod';

/**
 * Field helpers shared by the Application Auto Scaling and CloudWatch shapes.
 * These resources keep AWS's PascalCase field names, so the JSON that
 * `aws application-autoscaling … --cli-input-json` and `aws cloudwatch
 * put-metric-alarm` take parses unchanged.
 */

// Integer bounds with ECS's error wording, shared with the model.
export { intAtLeast, intBetween };

/** Baton scales ECS services only; other AAS namespaces are rejected by name. */
export const ServiceNamespace = z.string().refine((v) => v === 'ecs', {
  error: (iss) => `Baton scales ECS services only: must be "ecs" (got ${show(iss.input)})`,
});
export type ServiceNamespace = z.output<typeof ServiceNamespace>;

export const ScalableDimension = z.string().refine((v) => v === 'ecs:service:DesiredCount', {
  error: (iss) => `must be "ecs:service:DesiredCount" (got ${show(iss.input)})`,
});
export type ScalableDimension = z.output<typeof ScalableDimension>;

/** AAS names an ECS service `service/<cluster>/<service>`. */
export function serviceResourceId(cluster: string, serviceName: string): string {
  return `service/${cluster}/${serviceName}`;
}

export function parseResourceId(
  resourceId: string,
): { readonly cluster: string; readonly serviceName: string } | undefined {
  const m = /^service\/([^/\s]+)\/([^/\s]+)$/.exec(resourceId);
  return m ? { cluster: m[1]!, serviceName: m[2]! } : undefined;
}

export const ResourceId = z.string().refine((v) => parseResourceId(v) !== undefined, {
  error: (iss) => `must be service/<cluster>/<service> (got ${show(iss.input)})`,
});

/**
 * A name AAS accepts for policies and scheduled actions: printable, no
 * leading or trailing space, and none of `:`, `/`, `|` (they would make ARNs
 * ambiguous).
 */
export function aasName(what: string) {
  return z
    .string()
    .refine((v) => v.length >= 1 && v.length <= 256 && v.trim() === v && !/[:/|\p{Cc}]/u.test(v), {
      error: (iss) =>
        `${what} must be 1–256 printable characters without ':', '/', '|' or surrounding spaces (got ${show(iss.input)})`,
    });
}

export const MetricDimension = ecsObject({
  Name: z.string().min(1).max(255),
  Value: z.string().min(1).max(1024),
});
export type MetricDimension = z.output<typeof MetricDimension>;

export const MetricStatistic = z.enum(['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum']);
export type MetricStatistic = z.output<typeof MetricStatistic>;
