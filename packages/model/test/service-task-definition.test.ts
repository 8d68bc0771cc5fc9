import { describe, expect, it } from 'vitest';
import { checkServiceTaskDefinition, parseService, parseTaskDefinition } from '../src/index.js';
import { fixture, ok } from './helpers.js';

describe('service against its task definition', () => {
  const td = ok(parseTaskDefinition(fixture('task-definitions/web-nginx.describe.json'))).value;
  const service = ok(parseService(fixture('services/web.create.json'))).value;

  it('accepts a load balancer on a mapped container port', () => {
    expect(checkServiceTaskDefinition(service, td)).toEqual([]);
  });

  it('names the container or port a load balancer cannot reach', () => {
    const lb = service.loadBalancers[0]!;
    expect(
      checkServiceTaskDefinition({ ...service, loadBalancers: [{ ...lb, containerName: 'app' }] }, td),
    ).toEqual([
      {
        path: 'loadBalancers[0].containerName',
        rule: 'load-balancer',
        message: 'names no container of task definition web-nginx (got "app")',
      },
    ]);
    expect(
      checkServiceTaskDefinition({ ...service, loadBalancers: [{ ...lb, containerPort: 8080 }] }, td),
    ).toEqual([
      {
        path: 'loadBalancers[0].containerPort',
        rule: 'load-balancer',
        message: 'container "nginx" maps no tcp containerPort 8080',
      },
    ]);
  });

  it('refuses an INACTIVE task definition', () => {
    expect(checkServiceTaskDefinition(service, { ...td, status: 'INACTIVE' }).map((i) => i.rule)).toEqual([
      'task-definition-status',
    ]);
  });
});
