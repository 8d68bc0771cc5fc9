import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseTargetGroup, type TargetGroup, targetGroupSettings } from '../src/index.js';

const parse = (input: Record<string, unknown>) => parseTargetGroup({ Name: 'web', ...input });
const parsed = (input: Record<string, unknown>): TargetGroup => {
  const r = parse(input);
  if (isLeft(r)) throw new Error(r.left.message);
  return r.right.value;
};
const error = (input: Record<string, unknown>): string => {
  const r = parse(input);
  if (isRight(r)) throw new Error('expected a validation error');
  return r.left.message;
};

describe('target group unhealthy state routing (fail open)', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html and
  // the attribute list of load-balancer-target-groups.html: count 1..targets (default 1), percentage off|1–100.
  it("ELB's defaults: minimum healthy count 1, percentage off", () => {
    expect(targetGroupSettings(parsed({})).unhealthyStateRouting).toEqual({
      minimumHealthyTargetsCount: 1,
      minimumHealthyTargetsPercentage: 'off',
    });
    expect(
      targetGroupSettings(
        parsed({
          Attributes: [
            { Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', Value: '3' },
            {
              Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
              Value: '50',
            },
          ],
        }),
      ).unhealthyStateRouting,
    ).toEqual({ minimumHealthyTargetsCount: 3, minimumHealthyTargetsPercentage: 50 });
  });

  it('refuses a count below 1 and a percentage outside off or 1–100, naming the attribute', () => {
    expect(
      error({
        Attributes: [
          { Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', Value: '0' },
        ],
      }),
    ).toMatch(/minimum_healthy_targets\.count must be an integer from 1/);
    expect(
      error({
        Attributes: [
          {
            Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage',
            Value: '101',
          },
        ],
      }),
    ).toMatch(/minimum_healthy_targets\.percentage must be off or an integer from 1 to 100/);
  });
});

// CreateTargetGroup and Matcher in the ELBv2 API reference, and the NLB guide's health-check page:
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
describe('target group health-check defaults and bounds by protocol', () => {
  it.each([
    [{}, 5, '200'],
    [{ Protocol: 'TCP' }, 10, '200-399'],
    [{ Protocol: 'TCP', HealthCheckProtocol: 'TCP' }, 10, '200-399'],
    [{ Protocol: 'TCP', HealthCheckProtocol: 'HTTP' }, 6, '200-399'],
    [{ Protocol: 'TCP', HealthCheckTimeoutSeconds: 4, Matcher: { HttpCode: '200' } }, 4, '200'],
  ])('%j: timeout %i s, matcher %s', (input, timeout, matcher) => {
    const tg = parsed(input);
    expect(tg.HealthCheckTimeoutSeconds).toBe(timeout);
    expect(tg.Matcher.HttpCode).toBe(matcher);
  });

  it.each([
    [
      { HealthCheckProtocol: 'TCP' },
      'HealthCheckProtocol: TCP health checks are not supported when the target group protocol is HTTP',
    ],
    [
      { Matcher: { HttpCode: '200-599' } },
      'Matcher.HttpCode: must name codes from 200 to 499 for a HTTP target group',
    ],
    [{ Matcher: { HttpCode: '100,200' } }, 'Matcher.HttpCode: must name codes from 200 to 499'],
    [
      { Protocol: 'TCP', Matcher: { HttpCode: '199' } },
      'Matcher.HttpCode: must name codes from 200 to 599 for a TCP target group',
    ],
    [
      { HealthCheckEnabled: false },
      'HealthCheckEnabled: health checks cannot be disabled for targets of type ip',
    ],
    [
      { HealthCheckEnabled: false, TargetType: 'instance' },
      'cannot be disabled for targets of type instance',
    ],
    [
      { Attributes: [{ Key: 'slow_start.duration_seconds', Value: '10' }] },
      'slow_start.duration_seconds must be 0 (off) or 30–900 (got "10")',
    ],
    [{ Attributes: [{ Key: 'slow_start.duration_seconds', Value: '901' }] }, 'must be 0 (off) or 30–900'],
    [
      { Protocol: 'TCP', Attributes: [{ Key: 'slow_start.duration_seconds', Value: '60' }] },
      'Attributes[0].Key: slow_start.duration_seconds is not supported for a TCP target group',
    ],
  ])('refuses %j', (input, message) => {
    expect(error(input)).toContain(message);
  });

  it('accepts the bounds themselves', () => {
    expect(parsed({ Matcher: { HttpCode: '200-499' } }).Matcher.HttpCode).toBe('200-499');
    expect(
      parsed({ Protocol: 'TCP', HealthCheckProtocol: 'HTTP', Matcher: { HttpCode: '200-599' } }).Matcher
        .HttpCode,
    ).toBe('200-599');
    for (const v of ['0', '30', '900'])
      expect(
        targetGroupSettings(parsed({ Attributes: [{ Key: 'slow_start.duration_seconds', Value: v }] }))
          .slowStartSeconds,
      ).toBe(Number(v));
    expect(targetGroupSettings(parsed({})).slowStartSeconds).toBe(0);
  });
});
