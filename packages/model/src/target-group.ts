import { z } from 'zod';
import { type ArnContext, defaultArnContext, parseArn } from './arn.js';
import { ecsObject, ignored, intBetween, show } from './fields.js';

/**
 * An ELBv2 target group, in the shape of `aws elbv2 create-target-group` and
 * `describe-target-groups` (PascalCase, as that API spells it), plus the
 * targets Baton registered in it. Health-check defaults are ELB's.
 */

export const TargetGroupProtocol = z.enum(['HTTP', 'TCP']);
export type TargetGroupProtocol = z.output<typeof TargetGroupProtocol>;

/** ELB's target states. */
export const TargetState = z.enum(['initial', 'healthy', 'unhealthy', 'unused', 'draining', 'unavailable']);
export type TargetState = z.output<typeof TargetState>;

/** ELB's `Matcher.HttpCode`: `200`, `200,202`, `200-299`. */
export function isHttpCodeMatcher(v: string): boolean {
  return v.split(',').every((part) => {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return lo >= 100 && hi <= 599 && lo <= hi;
  });
}

/** Whether `status` is one of the codes a matcher names. */
export function matchesHttpCode(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return lo !== undefined && status >= lo && status <= (hi ?? lo);
  });
}

export const Matcher = ecsObject({
  HttpCode: z
    .string()
    .refine(isHttpCodeMatcher, {
      error: (iss) => `must be like 200, 200,202 or 200-299 (got ${show(iss.input)})`,
    })
    .default('200'),
  GrpcCode: ignored('not-implemented'),
});

export const TargetGroupAttribute = ecsObject({ Key: z.string().min(1), Value: z.string() });
export type TargetGroupAttribute = z.output<typeof TargetGroupAttribute>;

/** A target Baton registered: a task's container port, published on the host. */
export const RegisteredTarget = ecsObject({
  /** The host address (127.0.0.1 for Baton's engines). */
  Id: z.string().min(1),
  Port: intBetween(1, 65535),
  AvailabilityZone: z.string().optional(),
  State: TargetState,
  /** ELB's reason code: `Elb.InitialHealthChecking`, `Target.ResponseCodeMismatch`, … */
  Reason: z.string().optional(),
  Description: z.string().optional(),
  /** Baton: what the last failed check saw (`ECONNREFUSED`, …), kept apart from ELB's Description. */
  Detail: z.string().optional(),
  /** Baton: the task whose container this is. */
  TaskArn: z.string().optional(),
  ContainerName: z.string().optional(),
  ContainerPort: z.number().int().optional(),
  RegisteredAt: z.number().optional(),
  /** Baton: when deregistration started (the deregistration delay counts from here). */
  DrainingSince: z.number().optional(),
});
export type RegisteredTarget = z.output<typeof RegisteredTarget>;

/** A target registered with RegisterTargets: an address and port (ELB's TargetDescription). */
export const StaticTarget = ecsObject({
  Id: z.string().min(1),
  Port: intBetween(1, 65535),
  AvailabilityZone: z.string().optional(),
});
export type StaticTarget = z.output<typeof StaticTarget>;

const TargetGroupObject = ecsObject({
  TargetGroupName: z.string().refine((v) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(v), {
    error: (iss) =>
      `must be 1–32 letters, digits or hyphens, not starting or ending with a hyphen (got ${show(iss.input)})`,
  }),
  TargetGroupArn: z.string().optional(),
  Protocol: TargetGroupProtocol.default('HTTP'),
  Port: intBetween(1, 65535).default(80),
  TargetType: z.enum(['ip', 'instance']).default('ip'),
  HealthCheckEnabled: z.boolean().default(true),
  /** Default: the target group's protocol. */
  HealthCheckProtocol: TargetGroupProtocol.optional(),
  /** `traffic-port` (the target's own port) or a port number. */
  HealthCheckPort: z
    .string()
    .refine((v) => v === 'traffic-port' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535), {
      error: (iss) => `must be traffic-port or a port number (got ${show(iss.input)})`,
    })
    .default('traffic-port'),
  HealthCheckPath: z.string().startsWith('/').max(1024).default('/'),
  // Lower bounds below ELB's are allowed here; targetGroupRules applies ELB's (see shortTimingsAttribute).
  HealthCheckIntervalSeconds: intBetween(1, 300).default(30),
  HealthCheckTimeoutSeconds: intBetween(1, 120).default(5),
  HealthyThresholdCount: intBetween(2, 10).default(5),
  UnhealthyThresholdCount: intBetween(2, 10).default(2),
  Matcher: Matcher.default({ HttpCode: '200' }),
  /** ELB's target group attributes (`deregistration_delay.timeout_seconds`, …); Baton takes them at creation too. */
  Attributes: z.array(TargetGroupAttribute).default([]),
  LoadBalancerArns: z.array(z.string()).default([]),
  /**
   * Baton: the targets registered by hand (RegisterTargets), user-owned; `Targets` shows them with
   * their health beside the ones Baton registers for services' tasks.
   */
  StaticTargets: z.array(StaticTarget).optional(),
  /** Baton: the targets registered now, with their health (what DescribeTargetHealth reports). */
  Targets: z.array(RegisteredTarget).default([]),
  CreatedAt: z.number().optional(),
  VpcId: ignored('aws-only'),
  ProtocolVersion: ignored('aws-only'),
  IpAddressType: ignored('aws-only'),
  Tags: ignored('aws-only'),
});

/**
 * ELB's defaults that depend on the group's protocol
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html, and the
 * health-check pages of the ALB and NLB guides, which are more specific):
 * - `HealthCheckTimeoutSeconds`: 5 s for an HTTP (ALB) group; on a TCP (NLB) group 10 s for TCP checks and
 *   6 s for HTTP checks
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html);
 * - `Matcher.HttpCode`: `200` on an HTTP group; `200-399` for the HTTP checks of a TCP group (API_Matcher:
 *   "For Network Load Balancers, you can specify values between 200 and 599, with the default value being
 *   200-399").
 */
export function protocolDefaults(
  protocol: string,
  healthCheckProtocol: string | undefined,
): { readonly timeoutSeconds: number; readonly httpCode: string } {
  if (protocol !== 'TCP') return { timeoutSeconds: 5, httpCode: '200' };
  return { timeoutSeconds: (healthCheckProtocol ?? 'TCP') === 'TCP' ? 10 : 6, httpCode: '200-399' };
}

/** CreateTargetGroup says `Name`; DescribeTargetGroups says `TargetGroupName`. Protocol-dependent defaults filled in. */
export const TargetGroup = z.preprocess((input) => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const { Name, ...rest } = input as Record<string, unknown>;
  const out: Record<string, unknown> =
    Name !== undefined && rest.TargetGroupName === undefined
      ? { ...rest, TargetGroupName: Name }
      : { ...input };
  const protocol = typeof out.Protocol === 'string' ? out.Protocol : 'HTTP';
  const hc = typeof out.HealthCheckProtocol === 'string' ? out.HealthCheckProtocol : undefined;
  const d = protocolDefaults(protocol, hc);
  if (out.HealthCheckTimeoutSeconds === undefined) out.HealthCheckTimeoutSeconds = d.timeoutSeconds;
  if (out.Matcher === undefined) out.Matcher = { HttpCode: d.httpCode };
  else if (typeof out.Matcher === 'object' && out.Matcher !== null && !Array.isArray(out.Matcher)) {
    const m = out.Matcher as Record<string, unknown>;
    if (m.HttpCode === undefined) out.Matcher = { ...m, HttpCode: d.httpCode };
  }
  return out;
}, TargetGroupObject);
export type TargetGroup = z.output<typeof TargetGroup>;
export type TargetGroupInput = z.input<typeof TargetGroup>;

/** ELB's attribute names Baton acts on. */
export const targetGroupAttributes = {
  deregistrationDelay: 'deregistration_delay.timeout_seconds',
  algorithm: 'load_balancing.algorithm.type',
  /**
   * ELB's routing failover ("fail open"): below this many healthy targets the balancer routes to every
   * registered target, unhealthy ones included. 1 to the number of targets; default 1.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html
   */
  minimumHealthyTargetsCount: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count',
  /** The same, as a percentage of the registered targets: `off` (default) or 1–100. */
  minimumHealthyTargetsPercentage:
    'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
  /**
   * ELB's slow start: a target that becomes healthy gets a linearly increasing share of the traffic
   * over this many seconds. 0 (off, the default) or 30–900; HTTP groups only (NLB has none).
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
   */
  slowStart: 'slow_start.duration_seconds',
  /** Baton only: health-check interval and timeout down to 1 s (ELB's minimums are 5 s and 2 s), for tests. */
  shortTimings: 'baton.health_check.short_timings',
} as const;

export type LoadBalancingAlgorithm = 'round_robin' | 'least_outstanding_requests';

/**
 * ELB's unhealthy state routing: when the healthy targets fall below either threshold, the balancer
 * sends traffic to all registered targets, unhealthy ones included. ELB's defaults (count 1,
 * percentage off) make it fail open when no target is healthy
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 */
export interface UnhealthyStateRouting {
  readonly minimumHealthyTargetsCount: number;
  readonly minimumHealthyTargetsPercentage: number | 'off';
}

/** ELB's defaults for the attributes Baton reads. */
export const targetGroupDefaults = {
  deregistrationDelaySeconds: 300,
  slowStartSeconds: 0,
  algorithm: 'round_robin' as LoadBalancingAlgorithm,
  unhealthyStateRouting: {
    minimumHealthyTargetsCount: 1,
    minimumHealthyTargetsPercentage: 'off',
  } as UnhealthyStateRouting,
};

/** The health check a target group asks for, with ELB's defaults filled in. */
export interface TargetGroupHealthCheck {
  readonly enabled: boolean;
  readonly protocol: TargetGroupProtocol;
  /** undefined: the target's own port. */
  readonly port: number | undefined;
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly matcher: string;
}

export interface TargetGroupSettings {
  readonly protocol: TargetGroupProtocol;
  readonly healthCheck: TargetGroupHealthCheck;
  readonly deregistrationDelaySeconds: number;
  readonly algorithm: LoadBalancingAlgorithm;
  readonly unhealthyStateRouting: UnhealthyStateRouting;
  /** Slow start duration; 0 is off. */
  readonly slowStartSeconds: number;
}

export function attributeOf(tg: Pick<TargetGroup, 'Attributes'>, key: string): string | undefined {
  for (let i = tg.Attributes.length - 1; i >= 0; i--)
    if (tg.Attributes[i]!.Key === key) return tg.Attributes[i]!.Value;
  return undefined;
}

export function targetGroupSettings(tg: TargetGroup): TargetGroupSettings {
  const delay = Number(attributeOf(tg, targetGroupAttributes.deregistrationDelay));
  const algorithm = attributeOf(tg, targetGroupAttributes.algorithm);
  const count = Number(attributeOf(tg, targetGroupAttributes.minimumHealthyTargetsCount));
  const percentage = Number(attributeOf(tg, targetGroupAttributes.minimumHealthyTargetsPercentage));
  const slowStart = Number(attributeOf(tg, targetGroupAttributes.slowStart));
  const d = targetGroupDefaults.unhealthyStateRouting;
  return {
    protocol: tg.Protocol,
    healthCheck: {
      enabled: tg.HealthCheckEnabled,
      protocol: tg.HealthCheckProtocol ?? tg.Protocol,
      port: tg.HealthCheckPort === 'traffic-port' ? undefined : Number(tg.HealthCheckPort),
      path: tg.HealthCheckPath,
      intervalSeconds: tg.HealthCheckIntervalSeconds,
      timeoutSeconds: tg.HealthCheckTimeoutSeconds,
      healthyThreshold: tg.HealthyThresholdCount,
      unhealthyThreshold: tg.UnhealthyThresholdCount,
      matcher: tg.Matcher.HttpCode,
    },
    deregistrationDelaySeconds: Number.isFinite(delay)
      ? delay
      : targetGroupDefaults.deregistrationDelaySeconds,
    algorithm: algorithm === 'least_outstanding_requests' ? algorithm : targetGroupDefaults.algorithm,
    unhealthyStateRouting: {
      minimumHealthyTargetsCount:
        Number.isInteger(count) && count >= 1 ? count : d.minimumHealthyTargetsCount,
      minimumHealthyTargetsPercentage:
        Number.isInteger(percentage) && percentage >= 1 && percentage <= 100
          ? percentage
          : d.minimumHealthyTargetsPercentage,
    },
    slowStartSeconds:
      Number.isInteger(slowStart) && slowStart >= 30 && slowStart <= 900
        ? slowStart
        : targetGroupDefaults.slowStartSeconds,
  };
}

/** `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>`, as ELB names them. */
export function targetGroupArn(name: string, id: string, ctx: ArnContext = defaultArnContext): string {
  return `arn:${ctx.partition}:elasticloadbalancing:${ctx.region}:${ctx.account}:targetgroup/${name}/${id}`;
}

/** The name in a target group ARN (or the string itself when it is not one). */
export function targetGroupNameOf(arnOrName: string): string {
  const parsed = arnOrName.startsWith('arn:') ? parseArn(arnOrName) : undefined;
  return parsed?.resourceType === 'targetgroup' ? (parsed.resource[0] ?? arnOrName) : arnOrName;
}
