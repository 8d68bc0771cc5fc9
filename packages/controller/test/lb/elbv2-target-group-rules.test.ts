import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Baton, createBaton, ElbApiError, silentLogger } from '../../src/index.js';

// ELB's target group rules through baton.elbv2 (CreateTargetGroup, Matcher, slow start mode):
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
let baton: Baton;
beforeEach(async () => {
  baton = await createBaton({ cluster: 'scaling-elb', seed: 1, logger: silentLogger });
  await baton.start();
});
afterEach(async () => baton.stop());

async function elbError(p: Promise<unknown>): Promise<ElbApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ElbApiError) return e;
    throw e;
  }
  throw new Error('expected an ElbApiError');
}

describe('baton.elbv2 target group defaults and rules', () => {
  it('fills protocol defaults and lists slow start among the attributes', async () => {
    const [tcp] = (await baton.elbv2.createTargetGroup({ Name: 'tcp', Protocol: 'TCP', Port: 80 }))
      .TargetGroups;
    expect([tcp!.HealthCheckTimeoutSeconds, tcp!.Matcher.HttpCode]).toEqual([10, '200-399']);
    const [web] = (
      await baton.elbv2.createTargetGroup({
        Name: 'web',
        Protocol: 'HTTP',
        Port: 80,
        Attributes: [{ Key: 'slow_start.duration_seconds', Value: '60' }],
      })
    ).TargetGroups;
    expect([web!.HealthCheckTimeoutSeconds, web!.Matcher.HttpCode]).toEqual([5, '200']);
    const { Attributes } = await baton.elbv2.describeTargetGroupAttributes({
      TargetGroupArn: web!.TargetGroupArn!,
    });
    expect(Attributes).toContainEqual({ Key: 'slow_start.duration_seconds', Value: '60' });
    // The nginx adapter cannot ramp a target up: refused rather than ignored.
    const e = await elbError(
      baton.elbv2.attachNginx({
        TargetGroupArn: web!.TargetGroupArn!,
        upstreamFile: '/nonexistent/upstream.conf',
        reload: async () => undefined,
      }),
    );
    expect(e.code).toBe('ValidationError');
    expect(e.message).toContain('slow_start.duration_seconds');
  });

  it.each([
    [{ HealthCheckEnabled: false }, 'HealthCheckEnabled'],
    [{ HealthCheckProtocol: 'TCP' }, 'HealthCheckProtocol'],
    [{ Matcher: { HttpCode: '500-599' } }, 'Matcher.HttpCode'],
    [{ Attributes: [{ Key: 'slow_start.duration_seconds', Value: '5' }] }, 'Attributes[0].Value'],
  ])('refuses %j with ValidationError naming %s', async (input, field) => {
    const e = await elbError(
      baton.elbv2.createTargetGroup({ Name: 'bad', Protocol: 'HTTP', Port: 80, ...input }),
    );
    expect(e.code).toBe('ValidationError');
    expect(e.message).toContain(field);
  });

  it('ModifyTargetGroupAttributes checks slow start the same way', async () => {
    const [tg] = (await baton.elbv2.createTargetGroup({ Name: 'mod', Protocol: 'TCP', Port: 80 }))
      .TargetGroups;
    const e = await elbError(
      baton.elbv2.modifyTargetGroupAttributes({
        TargetGroupArn: tg!.TargetGroupArn!,
        Attributes: [{ Key: 'slow_start.duration_seconds', Value: '30' }],
      }),
    );
    expect(e.message).toContain('not supported for a TCP target group');
  });
});
