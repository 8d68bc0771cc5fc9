import type { TargetGroupHealthCheck } from '@baton-ecs/model';
import type { HealthThresholds } from './target-health.js';

/** One health check, in the units the probes use. */
export interface HealthCheckSpec extends HealthThresholds {
  readonly protocol: 'HTTP' | 'TCP';
  /** undefined: the target's own port (ELB's `traffic-port`). */
  readonly port?: number;
  /** HTTP only. */
  readonly path: string;
  /** HTTP only: ELB's matcher, `200`, `200,202`, `200-299`. */
  readonly matcher: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** ELB's defaults: HTTP GET / every 30 s, 5 s timeout, 200, healthy after 5, unhealthy after 2. */
export const defaultHealthCheck: HealthCheckSpec = {
  protocol: 'HTTP',
  path: '/',
  matcher: '200',
  intervalMs: 30_000,
  timeoutMs: 5_000,
  healthyThreshold: 5,
  unhealthyThreshold: 2,
};

/** A target group's health check (model) as a probe spec. */
export function healthCheckSpec(check: TargetGroupHealthCheck): HealthCheckSpec {
  return {
    protocol: check.protocol,
    ...(check.port !== undefined ? { port: check.port } : {}),
    path: check.path,
    matcher: check.matcher,
    intervalMs: check.intervalSeconds * 1000,
    timeoutMs: check.timeoutSeconds * 1000,
    healthyThreshold: check.healthyThreshold,
    unhealthyThreshold: check.unhealthyThreshold,
  };
}

export function sameCheck(a: HealthCheckSpec, b: HealthCheckSpec): boolean {
  return (
    a.protocol === b.protocol &&
    a.port === b.port &&
    a.path === b.path &&
    a.matcher === b.matcher &&
    a.intervalMs === b.intervalMs &&
    a.timeoutMs === b.timeoutMs &&
    a.healthyThreshold === b.healthyThreshold &&
    a.unhealthyThreshold === b.unhealthyThreshold
  );
}
