#!/usr/bin/env node
// Regenerates packages/controller/src/endpoint/models/*.json: for each AWS service Baton's endpoint
// speaks, the operations it serves and the shapes they reach, cut down from AWS's own service model
// (botocore's service-2.json, as shipped by Debian's awscli) to what the wire codecs read.
//   node scripts/gen-api-models.mjs [botocore data dir]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.argv[2] ?? '/usr/lib/python3/dist-packages/awscli/botocore/data';
const out = join(root, 'packages/controller/src/endpoint/models');

/** Which operations each service serves: the endpoint's adapters implement exactly these. */
const services = {
  ecs: {
    path: 'ecs/2014-11-13',
    operations: [
      'CreateCluster',
      'DeleteCluster',
      'DescribeClusters',
      'ListClusters',
      'ListContainerInstances',
      'DescribeContainerInstances',
      'UpdateContainerInstancesState',
      'DeregisterContainerInstance',
      'RegisterTaskDefinition',
      'DeregisterTaskDefinition',
      'DescribeTaskDefinition',
      'ListTaskDefinitions',
      'ListTaskDefinitionFamilies',
      'CreateService',
      'UpdateService',
      'DeleteService',
      'DescribeServices',
      'ListServices',
      'RunTask',
      'StopTask',
      'DescribeTasks',
      'ListTasks',
    ],
  },
  elbv2: {
    path: 'elbv2/2015-12-01',
    operations: [
      'CreateTargetGroup',
      'DescribeTargetGroups',
      'ModifyTargetGroup',
      'ModifyTargetGroupAttributes',
      'DescribeTargetGroupAttributes',
      'DeleteTargetGroup',
      'DescribeTargetHealth',
      'RegisterTargets',
      'DeregisterTargets',
      'CreateLoadBalancer',
      'DescribeLoadBalancers',
      'DeleteLoadBalancer',
      'CreateListener',
      'DescribeListeners',
      'ModifyListener',
      'DeleteListener',
    ],
  },
  'application-autoscaling': {
    path: 'application-autoscaling/2016-02-06',
    operations: [
      'RegisterScalableTarget',
      'DeregisterScalableTarget',
      'DescribeScalableTargets',
      'PutScalingPolicy',
      'DescribeScalingPolicies',
      'DeleteScalingPolicy',
      'PutScheduledAction',
      'DeleteScheduledAction',
      'DescribeScheduledActions',
      'DescribeScalingActivities',
    ],
  },
  logs: {
    path: 'logs/2014-03-28',
    operations: [
      'CreateLogGroup',
      'DeleteLogGroup',
      'DescribeLogGroups',
      'DescribeLogStreams',
      'PutRetentionPolicy',
      'DeleteRetentionPolicy',
      'GetLogEvents',
      'FilterLogEvents',
      'CreateLogStream',
      'PutLogEvents',
    ],
  },
};

const only = process.argv[3]?.split(',');
for (const [name, spec] of Object.entries(services)) {
  if (only && !only.includes(name)) continue;
  const file = join(dataDir, spec.path, 'service-2.json');
  if (!existsSync(file))
    throw new Error(`no model at ${file}: install Debian's awscli (scripts/provision.sh awscli)`);
  const model = JSON.parse(readFileSync(file, 'utf8'));
  const shapes = {};
  const keep = (shapeName) => {
    if (!shapeName || shapes[shapeName]) return;
    const s = model.shapes[shapeName];
    const c = { type: s.type };
    shapes[shapeName] = c;
    if (s.members) {
      c.members = {};
      for (const [m, ref] of Object.entries(s.members)) {
        c.members[m] = { shape: ref.shape, ...(ref.locationName ? { locationName: ref.locationName } : {}) };
        keep(ref.shape);
      }
    }
    if (s.required) c.required = s.required;
    if (s.member) {
      c.member = {
        shape: s.member.shape,
        ...(s.member.locationName ? { locationName: s.member.locationName } : {}),
      };
      keep(s.member.shape);
    }
    if (s.flattened) c.flattened = true;
    if (s.key) {
      c.key = { shape: s.key.shape };
      keep(s.key.shape);
    }
    if (s.value) {
      c.value = { shape: s.value.shape };
      keep(s.value.shape);
    }
    if (s.timestampFormat) c.timestampFormat = s.timestampFormat;
    if (s.error) c.error = s.error;
    if (s.exception) c.exception = true;
  };
  const operations = {};
  for (const op of spec.operations) {
    const o = model.operations[op];
    if (!o) throw new Error(`${name}: the model has no operation ${op}`);
    operations[op] = {
      ...(o.input ? { input: o.input.shape } : {}),
      ...(o.output ? { output: o.output.shape } : {}),
      ...(o.output?.resultWrapper ? { resultWrapper: o.output.resultWrapper } : {}),
      errors: (o.errors ?? []).map((e) => e.shape),
    };
    keep(o.input?.shape);
    keep(o.output?.shape);
    for (const e of o.errors ?? []) keep(e.shape);
  }
  const m = model.metadata;
  const compact = {
    source: `botocore ${spec.path}/service-2.json`,
    metadata: {
      apiVersion: m.apiVersion,
      protocol: m.protocol,
      signingName: m.signingName ?? m.endpointPrefix,
      ...(m.targetPrefix ? { targetPrefix: m.targetPrefix } : {}),
      ...(m.xmlNamespace ? { xmlNamespace: m.xmlNamespace } : {}),
    },
    operations,
    shapes,
  };
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(compact)}\n`);
  console.log(`${name}: ${Object.keys(operations).length} operations, ${Object.keys(shapes).length} shapes`);
}
