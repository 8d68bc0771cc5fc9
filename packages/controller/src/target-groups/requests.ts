import { formatIssue } from '@baton-ecs/model';
import { z } from 'zod';
import { checkShape } from '../requests.js';
import { ElbApiError } from './api.js';

// ELBv2 requests that are not whole target groups (those go through the model's parser): checked at the
// edge, so a malformed call is ELB's ValidationError naming the field, never a TypeError.
const Arn = z.string().min(1).max(1600);
const Attribute = z.looseObject({ Key: z.string().min(1).max(256), Value: z.string().max(1024) });

/** Baton's own calls (not ELB wire operations) whose options may hold functions. */
const withBatonOptions: ReadonlySet<string> = new Set(['openListener', 'attachNginx']);
const Port = z.number().int().min(1).max(65535);
const PageSize = z.number().int().min(1).max(400).optional();
/** ELB's Action: Baton checks the shape here and what it can carry out in load-balancers.ts. */
const Action = z.looseObject({
  Type: z.string().min(1),
  TargetGroupArn: Arn.optional(),
  Order: z.number().int().min(1).max(50000).optional(),
  ForwardConfig: z
    .looseObject({
      TargetGroups: z
        .array(
          z.looseObject({
            TargetGroupArn: Arn.optional(),
            Weight: z.number().int().min(0).max(999).optional(),
          }),
        )
        .max(5)
        .optional(),
    })
    .optional(),
});
const TargetDescription = z.looseObject({
  Id: z.string().min(1).max(255),
  Port: Port.optional(),
  AvailabilityZone: z.string().max(255).optional(),
});

const elbRequestSchemas = {
  describeTargetGroups: z.looseObject({
    TargetGroupArns: z.array(Arn).max(20).optional(),
    Names: z.array(z.string().min(1).max(32)).max(20).optional(),
  }),
  modifyTargetGroup: z.looseObject({ TargetGroupArn: Arn }),
  modifyTargetGroupAttributes: z.looseObject({ TargetGroupArn: Arn, Attributes: z.array(Attribute).max(20) }),
  describeTargetGroupAttributes: z.looseObject({ TargetGroupArn: Arn }),
  deleteTargetGroup: z.looseObject({ TargetGroupArn: Arn }),
  describeTargetHealth: z.looseObject({
    TargetGroupArn: Arn,
    Targets: z.array(z.looseObject({ Id: z.string().min(1), Port: z.number().int().optional() })).optional(),
  }),
  createLoadBalancer: z.looseObject({
    Name: z.string().min(1),
    Type: z.string().optional(),
    Scheme: z.enum(['internet-facing', 'internal']).optional(),
    IpAddressType: z.enum(['ipv4', 'dualstack']).optional(),
  }),
  describeLoadBalancers: z.looseObject({
    LoadBalancerArns: z.array(Arn).max(20).optional(),
    Names: z.array(z.string().min(1).max(32)).max(20).optional(),
    Marker: z.string().optional(),
    PageSize,
  }),
  deleteLoadBalancer: z.looseObject({ LoadBalancerArn: Arn }),
  createListener: z.looseObject({
    LoadBalancerArn: Arn,
    Protocol: z.string().optional(),
    Port: Port.optional(),
    DefaultActions: z.array(Action).min(1).max(5),
  }),
  describeListeners: z.looseObject({
    LoadBalancerArn: Arn.optional(),
    ListenerArns: z.array(Arn).max(20).optional(),
    Marker: z.string().optional(),
    PageSize,
  }),
  modifyListener: z.looseObject({
    ListenerArn: Arn,
    Protocol: z.string().optional(),
    Port: Port.optional(),
    DefaultActions: z.array(Action).min(1).max(5).optional(),
  }),
  deleteListener: z.looseObject({ ListenerArn: Arn }),
  registerTargets: z.looseObject({
    TargetGroupArn: Arn,
    Targets: z.array(TargetDescription).min(1).max(500),
  }),
  deregisterTargets: z.looseObject({
    TargetGroupArn: Arn,
    Targets: z.array(TargetDescription).min(1).max(500),
  }),
  openListener: z.looseObject({
    TargetGroupArn: Arn,
    Port: z.number().int().min(0).max(65535).optional(),
    Host: z.string().min(1).max(255).optional(),
    Protocol: z.enum(['HTTP', 'TCP']).optional(),
  }),
  attachNginx: z.looseObject({
    TargetGroupArn: Arn,
    upstreamFile: z.string().min(1),
    upstreamName: z.string().min(1).optional(),
    reload: z.custom<() => Promise<void>>((v) => typeof v === 'function', { message: 'must be a function' }),
    onError: z
      .custom<(error: unknown) => void>((v) => typeof v === 'function', { message: 'must be a function' })
      .optional(),
  }),
} as const;

export type ElbRequestName = keyof typeof elbRequestSchemas;

/** Checks one ELBv2 request; returns it unchanged or throws ValidationError naming every field at fault. */
export function checkElbRequest<T>(name: ElbRequestName, request: T): T {
  return checkShape(
    elbRequestSchemas[name],
    request,
    (issues) =>
      new ElbApiError('ValidationError', `invalid ${name} request: ${issues.map(formatIssue).join('; ')}`),
    { jsonBounds: !withBatonOptions.has(name) },
  );
}
