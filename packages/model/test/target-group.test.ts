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
