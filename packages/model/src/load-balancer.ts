import { z } from 'zod';
import { type ArnContext, defaultArnContext } from './arn.js';

/**
 * ELBv2 load balancers and listeners as Baton keeps them, in the shapes of
 * `aws elbv2 describe-load-balancers` and `describe-listeners` (PascalCase, as that API spells
 * them). A Baton load balancer is a name its listeners hang off; each listener is Baton's embedded
 * balancer on 127.0.0.1:<Port>, forwarding to one target group.
 */

/** `application` listeners speak HTTP, `network` ones TCP (Baton's embedded balancer speaks both). */
export const LoadBalancerType = z.enum(['application', 'network']);
export type LoadBalancerType = z.output<typeof LoadBalancerType>;

export const LoadBalancerScheme = z.enum(['internet-facing', 'internal']);
export type LoadBalancerScheme = z.output<typeof LoadBalancerScheme>;

/** ELB's name rule: 1–32 letters, digits or hyphens, no hyphen first or last, not `internal-…`. */
export const LoadBalancerName = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, {
    error: 'must be 1–32 letters, digits or hyphens, not starting or ending with a hyphen',
  })
  .refine((v) => !v.startsWith('internal-'), { error: "must not begin with 'internal-'" });

export const LoadBalancerRecord = z.object({
  LoadBalancerArn: z.string(),
  LoadBalancerName,
  Type: LoadBalancerType,
  Scheme: LoadBalancerScheme,
  /** Where its listeners answer: Baton binds them on the loopback interface. */
  DNSName: z.string(),
  CreatedTime: z.number(),
  State: z.object({ Code: z.enum(['active', 'provisioning', 'failed']), Reason: z.string().optional() }),
  IpAddressType: z.enum(['ipv4', 'dualstack']).default('ipv4'),
});
export type LoadBalancerRecord = z.output<typeof LoadBalancerRecord>;

/** The protocols Baton's embedded balancer speaks. */
export const ListenerProtocol = z.enum(['HTTP', 'TCP']);
export type ListenerProtocol = z.output<typeof ListenerProtocol>;

/** A `forward` action to one target group, the only action Baton's balancer carries out. */
export const ForwardAction = z.object({
  Type: z.literal('forward'),
  TargetGroupArn: z.string().min(1),
  Order: z.number().int().min(1).max(50000).optional(),
});
export type ForwardAction = z.output<typeof ForwardAction>;

export const ListenerRecord = z.object({
  ListenerArn: z.string(),
  LoadBalancerArn: z.string(),
  Port: z.number().int().min(1).max(65535),
  Protocol: ListenerProtocol,
  DefaultActions: z.array(ForwardAction).length(1),
});
export type ListenerRecord = z.output<typeof ListenerRecord>;

const prefix = (ctx: ArnContext) => `arn:${ctx.partition}:elasticloadbalancing:${ctx.region}:${ctx.account}`;
const kindOf = (type: LoadBalancerType) => (type === 'application' ? 'app' : 'net');

/** `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<16 hex>`, as ELB names them. */
export function loadBalancerArn(
  type: LoadBalancerType,
  name: string,
  id: string,
  ctx: ArnContext = defaultArnContext,
): string {
  return `${prefix(ctx)}:loadbalancer/${kindOf(type)}/${name}/${id}`;
}

/** `…:listener/app/<lb name>/<lb id>/<16 hex>`: the load balancer's ARN with `listener/` and an id. */
export function listenerArn(loadBalancerArn: string, id: string): string {
  return `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${id}`;
}

/** The target group a listener forwards to. */
export function forwardTargetOf(listener: ListenerRecord): string {
  return listener.DefaultActions[0]!.TargetGroupArn;
}
