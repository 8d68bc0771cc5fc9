import { show } from './fields.js';
import { asArray, asInt, asRecord } from './loose.js';
import { protocolDefaults, targetGroupAttributes } from './target-group.js';
import type { ValidationIssue } from './validation.js';

/**
 * ELB's bounds and cross-field rules for a target group, over the raw input:
 * interval 5–300 s, timeout 2–120 s and shorter than the interval, the
 * deregistration delay 0–3600 s, a known balancing algorithm. The Baton-only
 * attribute `baton.health_check.short_timings=true` lowers both minimums to 1 s.
 * From CreateTargetGroup and Matcher in the ELBv2 API reference
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html):
 * - "The TCP protocol is not supported for health checks if the protocol of the target group is HTTP";
 * - an HTTP (ALB) group's matcher codes lie in 200–499, a TCP (NLB) group's in 200–599;
 * - "If the target type is instance or ip, health checks are always enabled and can't be disabled";
 * - `slow_start.duration_seconds` is 0 or 30–900, and only for HTTP groups (an NLB has no slow start).
 */
export function targetGroupRules(input: unknown): ValidationIssue[] {
  const tg = asRecord(input);
  if (!tg) return [];
  const issues: ValidationIssue[] = [];
  const add = (path: string, rule: string, message: string) => issues.push({ path, rule, message });
  const attributes = asArray(tg.Attributes).map(asRecord);
  const value = (key: string) => {
    let found: unknown;
    for (const a of attributes) if (a && a.Key === key) found = a.Value;
    return found;
  };
  const short = value(targetGroupAttributes.shortTimings) === 'true';
  const interval = asInt(tg.HealthCheckIntervalSeconds) ?? 30;
  const protocol = tg.Protocol === 'TCP' ? 'TCP' : 'HTTP';
  const hcProtocol = typeof tg.HealthCheckProtocol === 'string' ? tg.HealthCheckProtocol : undefined;
  const defaults = protocolDefaults(protocol, hcProtocol);
  const timeout = asInt(tg.HealthCheckTimeoutSeconds) ?? defaults.timeoutSeconds;
  if (protocol === 'HTTP' && hcProtocol === 'TCP')
    add(
      'HealthCheckProtocol',
      'health-check-protocol',
      'TCP health checks are not supported when the target group protocol is HTTP',
    );
  if (tg.HealthCheckEnabled === false)
    add(
      'HealthCheckEnabled',
      'health-check-enabled',
      `health checks cannot be disabled for targets of type ${tg.TargetType === 'instance' ? 'instance' : 'ip'}`,
    );
  const matcher = asRecord(tg.Matcher);
  const code = matcher && typeof matcher.HttpCode === 'string' ? matcher.HttpCode : undefined;
  const [lowest, highest] = protocol === 'HTTP' ? [200, 499] : [200, 599];
  if (code !== undefined && /^[\d,\s-]+$/.test(code)) {
    const outside = code
      .split(/[,-]/)
      .map((c) => Number(c.trim()))
      .some((c) => Number.isInteger(c) && (c < lowest || c > highest));
    if (outside)
      add(
        'Matcher.HttpCode',
        'range',
        `must name codes from ${lowest} to ${highest} for a ${protocol} target group (got ${show(code)})`,
      );
  }
  const minInterval = short ? 1 : 5;
  const minTimeout = short ? 1 : 2;
  if (asInt(tg.HealthCheckIntervalSeconds) !== undefined && interval < minInterval)
    add('HealthCheckIntervalSeconds', 'range', `must be between ${minInterval} and 300 (got ${interval})`);
  if (asInt(tg.HealthCheckTimeoutSeconds) !== undefined && timeout < minTimeout)
    add('HealthCheckTimeoutSeconds', 'range', `must be between ${minTimeout} and 120 (got ${timeout})`);
  if (short ? timeout > interval : timeout >= interval)
    add(
      'HealthCheckTimeoutSeconds',
      'health-check-timeout',
      `must be ${short ? 'at most' : 'smaller than'} HealthCheckIntervalSeconds (${interval}) (got ${timeout})`,
    );
  attributes.forEach((a, i) => {
    if (!a) return;
    const v = a.Value;
    if (typeof v !== 'string') return; // the schema reports it
    if (a.Key === targetGroupAttributes.deregistrationDelay) {
      if (!/^\d+$/.test(v) || Number(v) > 3600)
        add(
          `Attributes[${i}].Value`,
          'range',
          `deregistration_delay.timeout_seconds must be 0–3600 (got ${show(v)})`,
        );
    } else if (a.Key === targetGroupAttributes.algorithm) {
      if (v !== 'round_robin' && v !== 'least_outstanding_requests')
        add(
          `Attributes[${i}].Value`,
          'enum',
          `load_balancing.algorithm.type must be round_robin or least_outstanding_requests (got ${show(v)})`,
        );
    } else if (a.Key === targetGroupAttributes.minimumHealthyTargetsCount) {
      if (!/^\d+$/.test(v) || Number(v) < 1)
        add(
          `Attributes[${i}].Value`,
          'range',
          `${a.Key} must be an integer from 1 to the maximum number of targets (got ${show(v)})`,
        );
    } else if (a.Key === targetGroupAttributes.minimumHealthyTargetsPercentage) {
      if (v !== 'off' && (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100))
        add(
          `Attributes[${i}].Value`,
          'range',
          `${a.Key} must be off or an integer from 1 to 100 (got ${show(v)})`,
        );
    } else if (a.Key === targetGroupAttributes.slowStart) {
      const n = Number(v);
      if (!/^\d+$/.test(v) || (n !== 0 && (n < 30 || n > 900)))
        add(
          `Attributes[${i}].Value`,
          'range',
          `slow_start.duration_seconds must be 0 (off) or 30–900 (got ${show(v)})`,
        );
      else if (n !== 0 && protocol === 'TCP')
        add(
          `Attributes[${i}].Key`,
          'unsupported',
          'slow_start.duration_seconds is not supported for a TCP target group',
        );
    } else if (a.Key === targetGroupAttributes.shortTimings && v !== 'true' && v !== 'false') {
      add(`Attributes[${i}].Value`, 'enum', `must be true or false (got ${show(v)})`);
    }
  });
  return issues;
}
