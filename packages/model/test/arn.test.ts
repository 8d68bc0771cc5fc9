import { describe, expect, it } from 'vitest';
import { arns, clusterNameOf, parseArn, parseTaskDefinitionRef, resourceName } from '../src/index.js';

describe('ARNs', () => {
  it('builds ECS-shaped ARNs with local defaults', () => {
    expect(arns.cluster('prod')).toBe('arn:aws:ecs:local:000000000000:cluster/prod');
    expect(arns.service('prod', 'web')).toBe('arn:aws:ecs:local:000000000000:service/prod/web');
    expect(arns.task('prod', 'abc')).toBe('arn:aws:ecs:local:000000000000:task/prod/abc');
    expect(arns.taskDefinition('web', 3, { partition: 'aws', region: 'eu-west-1', account: '1' })).toBe(
      'arn:aws:ecs:eu-west-1:1:task-definition/web:3',
    );
  });

  it('parses them back', () => {
    expect(parseArn('arn:aws:ecs:us-east-1:123:service/prod/web')).toEqual({
      partition: 'aws',
      service: 'ecs',
      region: 'us-east-1',
      account: '123',
      resourceType: 'service',
      resource: ['prod', 'web'],
    });
    expect(parseArn('not-an-arn')).toBeUndefined();
    expect(clusterNameOf('arn:aws:ecs:us-east-1:123:task/prod/abc')).toBe('prod');
    expect(clusterNameOf('arn:aws:ecs:us-east-1:123:cluster/prod')).toBe('prod');
    expect(clusterNameOf('prod')).toBe('prod');
    expect(resourceName('arn:aws:ecs:us-east-1:123:service/prod/web')).toBe('web');
  });

  it.each([
    ['web', { family: 'web' }],
    ['web:12', { family: 'web', revision: 12 }],
    ['arn:aws:ecs:us-east-1:1:task-definition/web:3', { family: 'web', revision: 3 }],
    ['web:0', undefined],
    ['web:x', undefined],
    ['arn:aws:ecs:us-east-1:1:service/prod/web', undefined],
  ])('task definition reference %s', (ref, expected) => {
    expect(parseTaskDefinitionRef(ref)).toEqual(expected);
  });
});
