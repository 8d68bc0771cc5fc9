import { describe, expect, it } from 'vitest';
import { classify, type Declared } from '../../src/cli/documents.js';
import type { WireService } from '../../src/cli/ecs-reads.js';
import { type Live, plan } from '../../src/cli/plan.js';
import { planText } from '../../src/cli/plan-text.js';

const doc = (value: object, file = 'deploy/app.yaml'): Declared => {
  const d = classify(value, { file });
  if (typeof d === 'string') throw new Error(d);
  return d;
};

const webTd = {
  family: 'web',
  containerDefinitions: [
    { name: 'app', image: 'busybox:1', memory: 32, portMappings: [{ containerPort: 80 }] },
  ],
};
/** What DescribeTaskDefinition answers for webTd registered as revision 3: defaults filled, registration fields. */
const webTdLive = {
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3',
  family: 'web',
  revision: 3,
  status: 'ACTIVE',
  registeredAt: 1_700_000_000,
  networkMode: 'bridge',
  compatibilities: ['EC2'],
  containerDefinitions: [
    {
      name: 'app',
      image: 'busybox:1',
      memory: 32,
      essential: true,
      portMappings: [{ containerPort: 80, protocol: 'tcp' }],
    },
  ],
};
const webService = { serviceName: 'web', taskDefinition: 'web', desiredCount: 2 };
const webServiceLive = (over: Partial<WireService> = {}): WireService => ({
  serviceName: 'web',
  serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/prod/web',
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/prod',
  status: 'ACTIVE',
  taskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:3',
  desiredCount: 2,
  runningCount: 2,
  launchType: 'EC2',
  schedulingStrategy: 'REPLICA',
  deploymentConfiguration: {
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    deploymentCircuitBreaker: { enable: false, rollback: false },
  },
  ...over,
});
const live = (over: Partial<Live> = {}): Live => ({
  clusters: new Set(['prod']),
  latest: new Map([['web', webTdLive]]),
  services: new Map([['prod', [webServiceLive()]]]),
  ...over,
});
const opts = { cluster: 'prod', prune: false };

describe('apply plan', () => {
  it('changes nothing when the documents match what runs (defaults ECS fills in are no difference)', () => {
    const p = plan([doc(webTd), doc(webService)], live(), opts);
    expect(p.errors).toEqual([]);
    expect(p.changes).toEqual([]);
    expect(p.unchanged).toEqual(['task definition "web"', 'service "web" (cluster prod)']);
  });

  it('registers a task definition that differs from the latest ACTIVE revision, and moves the service to it', async () => {
    const changed = {
      ...webTd,
      containerDefinitions: [{ ...webTd.containerDefinitions[0]!, image: 'busybox:2' }],
    };
    const p = plan([doc(changed), doc(webService)], live(), opts);
    expect(p.errors).toEqual([]);
    expect(p.changes).toMatchObject([
      {
        kind: 'taskDefinition',
        action: 'register',
        family: 'web',
        previous: 3,
        fields: [{ path: 'containerDefinitions[0].image', before: 'busybox:1', after: 'busybox:2' }],
      },
      { kind: 'service', action: 'update', name: 'web', taskDefinition: { registering: 'web' } },
    ]);
    const text = await planText(p);
    expect(text).toContain('    ~ containerDefinitions[0].image: "busybox:1" → "busybox:2"');
    expect(text.at(-1)).toBe('1 to create, 1 to update, 0 to delete, 0 unchanged');
  });

  it('a service on an older revision moves to the latest one its family names', () => {
    const p = plan(
      [doc(webService)],
      live({ services: new Map([['prod', [webServiceLive({ taskDefinition: 'web:2' })]]]) }),
      opts,
    );
    expect(p.changes).toMatchObject([
      {
        action: 'update',
        taskDefinition: { existing: 'web:3' },
        fields: [{ path: 'taskDefinition', before: 'web:2', after: 'web:3' }],
      },
    ]);
  });

  it('updates only the fields that differ, through the members UpdateService takes', () => {
    const declared = {
      serviceName: 'web',
      taskDefinition: 'web:3',
      desiredCount: 7,
      deploymentConfiguration: {
        minimumHealthyPercent: 50,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    };
    const p = plan(
      [doc(declared)],
      live({ services: new Map([['prod', [webServiceLive({ desiredCount: 7 })]]]) }),
      opts,
    );
    expect(p.errors).toEqual([]);
    const change = p.changes[0]!;
    expect(change).toMatchObject({
      action: 'update',
      request: { deploymentConfiguration: { minimumHealthyPercent: 50 } },
    });
    expect('fields' in change && change.fields.map((f) => f.path)).toEqual([
      'deploymentConfiguration.deploymentCircuitBreaker.enable',
      'deploymentConfiguration.deploymentCircuitBreaker.rollback',
      'deploymentConfiguration.minimumHealthyPercent',
    ]);
    expect(change).not.toHaveProperty('request.desiredCount');
  });

  it('creates what is missing: the cluster first, a new family as revision 1, the service on it', () => {
    const p = plan(
      [
        doc({ clusterName: 'stage' }),
        doc({ ...webTd, family: 'api' }),
        doc({ serviceName: 'api', cluster: 'stage', taskDefinition: 'api', desiredCount: 1 }),
      ],
      live(),
      opts,
    );
    expect(p.errors).toEqual([]);
    expect(p.changes.map((c) => `${c.kind}:${c.action}`)).toEqual([
      'cluster:create',
      'taskDefinition:register',
      'service:create',
    ]);
    expect(p.changes[2]).toMatchObject({
      cluster: 'stage',
      taskDefinition: { registering: 'api' },
      request: { cluster: 'stage' },
    });
  });

  it('prunes services no document declares only when asked', () => {
    const other = webServiceLive({ serviceName: 'old' });
    const state = live({ services: new Map([['prod', [webServiceLive(), other]]]) });
    expect(plan([doc(webTd), doc(webService)], state, opts).changes).toEqual([]);
    expect(plan([doc(webTd), doc(webService)], state, { ...opts, prune: true }).changes).toEqual([
      { kind: 'service', action: 'delete', cluster: 'prod', name: 'old' },
    ]);
  });

  it('refuses what it cannot do, naming the file: a missing cluster, an unknown family, a fixed field, a duplicate', () => {
    const p = plan(
      [
        doc({ serviceName: 'a', cluster: 'nowhere', taskDefinition: 'web', desiredCount: 1 }, 'a.yaml'),
        doc({ serviceName: 'b', taskDefinition: 'ghost', desiredCount: 1 }, 'b.yaml'),
        doc({ serviceName: 'web', taskDefinition: 'web', schedulingStrategy: 'DAEMON' }, 'c.yaml'),
        doc(webTd, 'd1.json'),
        doc(webTd, 'd2.json'),
      ],
      live(),
      opts,
    );
    expect(p.errors).toEqual([
      'd2.json: task definition "web" is declared twice (also in d1.json)',
      'a.yaml: service "a": cluster "nowhere" does not exist (declare it: a document with clusterName "nowhere")',
      'b.yaml: service "b": taskDefinition: family "ghost" has no ACTIVE revision and no document in this apply declares it',
      'c.yaml: service "web": schedulingStrategy cannot change on an existing service ("REPLICA" → "DAEMON"); delete the service or give it a new name',
    ]);
  });
});
