import { describe, expect, it } from 'vitest';
import { parseService } from '../src/index.js';
import { bad, lines, ok } from './helpers.js';

const svc = (over: Record<string, unknown> = {}) => ({
  serviceName: 'web',
  taskDefinition: 'web:1',
  desiredCount: 2,
  ...over,
});
const issuesOf = (input: unknown) => lines(bad(parseService(input)));

describe('service rules', () => {
  it('DAEMON services require maximumPercent 100 and take no placement strategy', () => {
    expect(
      issuesOf(svc({ schedulingStrategy: 'DAEMON', deploymentConfiguration: { maximumPercent: 200 } })),
    ).toEqual(['deploymentConfiguration.maximumPercent: must be 100 for a DAEMON service (got 200)']);
    expect(issuesOf(svc({ schedulingStrategy: 'DAEMON', placementStrategy: [{ type: 'random' }] }))).toEqual([
      'placementStrategy: placement strategies are not supported with the DAEMON scheduling strategy',
    ]);
    ok(parseService(svc({ schedulingStrategy: 'DAEMON', deploymentConfiguration: { maximumPercent: 100 } })));
  });

  it('REPLICA services need a desiredCount', () => {
    expect(issuesOf({ serviceName: 'web', taskDefinition: 'web' })).toEqual([
      'desiredCount: is required for a REPLICA service',
    ]);
  });

  it('bounds the deployment percentages', () => {
    expect(issuesOf(svc({ deploymentConfiguration: { minimumHealthyPercent: 101 } }))).toEqual([
      'deploymentConfiguration.minimumHealthyPercent: must be between 0 and 100 (got 101)',
    ]);
    expect(issuesOf(svc({ deploymentConfiguration: { maximumPercent: 99 } }))).toEqual([
      'deploymentConfiguration.maximumPercent: must be between 100 and 2000 (got 99)',
    ]);
  });

  it('checks the task definition reference', () => {
    ok(parseService(svc({ taskDefinition: 'web' })));
    ok(parseService(svc({ taskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/web:3' })));
    expect(issuesOf(svc({ taskDefinition: 'web:0' }))).toEqual([
      'taskDefinition: must be family, family:revision or a task-definition ARN (got "web:0")',
    ]);
  });

  it('validates memberOf expressions and strategy fields', () => {
    expect(
      issuesOf(svc({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }] })),
    ).toEqual([
      "placementConstraints[0].expression: memberOf expression, column 15: expected a value after '=='",
    ]);
    expect(issuesOf(svc({ placementConstraints: [{ type: 'memberOf' }] }))).toEqual([
      'placementConstraints[0].expression: memberOf needs an expression',
    ]);
    expect(
      issuesOf(svc({ placementConstraints: [{ type: 'distinctInstance' }, { type: 'distinctInstance' }] })),
    ).toEqual(['placementConstraints: distinctInstance may appear only once']);
    expect(issuesOf(svc({ placementStrategy: [{ type: 'spread' }] }))).toEqual([
      'placementStrategy[0].field: spread needs a field: instanceId, host or attribute:<name>',
    ]);
    expect(issuesOf(svc({ placementStrategy: [{ type: 'random', field: 'cpu' }] }))).toEqual([
      'placementStrategy[0].field: random takes no field',
    ]);
    ok(
      parseService(
        svc({
          placementStrategy: [
            { type: 'spread', field: 'host' },
            { type: 'binpack', field: 'CPU' },
          ],
        }),
      ),
    );
  });

  it('limits constraints to 10 and strategies to 5', () => {
    const strategies = Array.from({ length: 6 }, () => ({ type: 'random' }));
    expect(issuesOf(svc({ placementStrategy: strategies }))).toEqual([
      'placementStrategy: must have at most 5 items',
    ]);
  });

  it('needs a target group (or load balancer name) on each load balancer', () => {
    expect(issuesOf(svc({ loadBalancers: [{ containerName: 'web', containerPort: 80 }] }))).toEqual([
      'loadBalancers[0]: needs a targetGroupArn (or a loadBalancerName)',
    ]);
  });

  it('runs only the ECS deployment controller', () => {
    expect(issuesOf(svc({ deploymentController: { type: 'CODE_DEPLOY' } }))).toEqual([
      'deploymentController.type: Baton runs only the ECS (rolling update) controller (got "CODE_DEPLOY")',
    ]);
  });

  it('takes the cluster name from an ARN', () => {
    expect(ok(parseService(svc({ cluster: 'arn:aws:ecs:us-east-1:1:cluster/prod' }))).value.cluster).toBe(
      'prod',
    );
  });
});
