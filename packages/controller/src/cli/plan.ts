import { parseService, parseTaskDefinition, type Service, targetGroupNameOf } from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Declared } from './documents.js';
import { where } from './documents.js';
import type { Wire, WireService } from './ecs-reads.js';
import { type ElbChange, type LiveElb, planElb } from './elb-docs.js';
import { canonical, type FieldChange, fieldChanges } from './field-diff.js';
import { comparableScaling, type ScalingKind, scalingKey, scalingName } from './scaling-docs.js';

/** What runs now, as far as a set of documents is concerned (read by apply/diff before planning). */
export interface Live {
  /** Names of the ACTIVE clusters. */
  readonly clusters: ReadonlySet<string>;
  /** family → its latest ACTIVE revision as DescribeTaskDefinition returns it (absent: none). */
  readonly latest: ReadonlyMap<string, Wire>;
  /** cluster → its ACTIVE services as DescribeServices returns them (for the clusters read). */
  readonly services: ReadonlyMap<string, readonly WireService[]>;
  /** scalingKey → the scalable target or policy AAS describes (absent: none). */
  readonly scaling?: ReadonlyMap<string, Wire>;
  /** Target groups, load balancers and listeners (read when documents declare some). */
  readonly elb?: LiveElb;
}

/** A service's task definition: an existing revision (`family:3`), or the one this apply registers. */
export type TaskDefinitionRef = { readonly existing: string } | { readonly registering: string };

export type Change =
  | { readonly kind: 'cluster'; readonly action: 'create'; readonly name: string; readonly request: Wire }
  | {
      readonly kind: 'taskDefinition';
      readonly action: 'register';
      readonly family: string;
      /** The latest ACTIVE revision it differs from (absent: a new family). */
      readonly previous?: number;
      readonly fields: readonly FieldChange[];
      readonly request: Wire;
    }
  | {
      readonly kind: 'service';
      readonly action: 'create';
      readonly cluster: string;
      readonly name: string;
      readonly taskDefinition: TaskDefinitionRef;
      readonly request: Wire;
    }
  | {
      readonly kind: 'service';
      readonly action: 'update';
      readonly cluster: string;
      readonly name: string;
      readonly taskDefinition: TaskDefinitionRef;
      readonly fields: readonly FieldChange[];
      /** UpdateService's members other than cluster, service and taskDefinition. */
      readonly request: Wire;
    }
  | { readonly kind: 'service'; readonly action: 'delete'; readonly cluster: string; readonly name: string }
  | {
      readonly kind: ScalingKind;
      readonly action: 'put';
      readonly name: string;
      /** Whether it exists yet (RegisterScalableTarget and PutScalingPolicy create or replace). */
      readonly create: boolean;
      readonly fields: readonly FieldChange[];
      readonly request: Wire;
    }
  | ElbChange;

export interface Plan {
  readonly changes: readonly Change[];
  /** Resources declared and already as declared: `task definition "web"`, `service "web"`. */
  readonly unchanged: readonly string[];
  /** Why the documents cannot be applied (nothing is applied when there is one). */
  readonly errors: readonly string[];
}

/** Fields ECS sets on registration, never part of a declaration. */
const TASK_DEFINITION_OUTPUT = [
  'taskDefinitionArn',
  'revision',
  'status',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
  'requiresAttributes',
  'compatibilities',
];

/** A task definition as comparable data: parsed (defaults filled) without the registration fields. */
export function comparableTaskDefinition(td: unknown): Record<string, unknown> | undefined {
  const r = parseTaskDefinition(td);
  if (isLeft(r)) return undefined;
  const out: Record<string, unknown> = { ...r.right.value };
  for (const k of TASK_DEFINITION_OUTPUT) delete out[k];
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return JSON.parse(canonical(out)) as Record<string, unknown>;
}

/** Service fields UpdateService changes in place; the others are fixed when the service is created. */
const UPDATABLE = [
  'deploymentConfiguration',
  'placementConstraints',
  'placementStrategy',
  'desiredCount',
  'healthCheckGracePeriodSeconds',
] as const;
const FIXED = ['schedulingStrategy', 'launchType', 'loadBalancers'] as const;

const emptyElb: LiveElb = {
  targetGroups: new Map(),
  targetGroupAttributes: new Map(),
  loadBalancers: new Map(),
  listeners: new Map(),
};

/** A service's load balancers with each target group by name (a document may name it, ECS says ARN). */
function byTargetGroupName(lbs: Service['loadBalancers']): unknown {
  return lbs.map((lb) =>
    lb.targetGroupArn === undefined ? lb : { ...lb, targetGroupArn: targetGroupNameOf(lb.targetGroupArn) },
  );
}

/** `family:revision` of an ARN or a ref; a bare family stays a bare family. */
export function revisionRef(ref: string): string {
  return ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
}

/**
 * What applying `declared` to `live` does: clusters to create, task definitions to register (only
 * when they differ from the family's latest ACTIVE revision), services to create or update, and
 * with `prune` services of the affected clusters that no document declares, to delete.
 * Pure: the same documents and live state give the same plan.
 */
export function plan(
  declared: readonly Declared[],
  live: Live,
  options: { readonly cluster: string; readonly prune: boolean },
): Plan {
  const changes: Change[] = [];
  const unchanged: string[] = [];
  const errors: string[] = [];
  const seen = new Map<string, string>();
  const once = (key: string, d: Declared) => {
    const first = seen.get(key);
    if (first) errors.push(`${where(d.origin)}: ${key} is declared twice (also in ${first})`);
    else seen.set(key, where(d.origin));
    return !first;
  };

  const clusterNames = new Set(live.clusters);
  for (const d of declared) {
    if (d.kind !== 'cluster' || !once(`cluster "${d.value.clusterName}"`, d)) continue;
    if (live.clusters.has(d.value.clusterName)) unchanged.push(`cluster "${d.value.clusterName}"`);
    else changes.push({ kind: 'cluster', action: 'create', name: d.value.clusterName, request: d.raw });
    clusterNames.add(d.value.clusterName);
  }

  const registering = new Set<string>();
  for (const d of declared) {
    if (d.kind !== 'taskDefinition' || !once(`task definition "${d.value.family}"`, d)) continue;
    const family = d.value.family;
    const current = live.latest.get(family);
    const want = comparableTaskDefinition(d.raw);
    const have = current ? comparableTaskDefinition(current) : undefined;
    if (have && want && canonical(have) === canonical(want)) {
      unchanged.push(`task definition "${family}"`);
      continue;
    }
    registering.add(family);
    changes.push({
      kind: 'taskDefinition',
      action: 'register',
      family,
      ...(current?.revision !== undefined ? { previous: current.revision as number } : {}),
      fields: have && want ? fieldChanges(have, want) : [],
      request: d.raw,
    });
  }

  const declaredServices = new Map<string, Set<string>>();
  for (const d of declared) {
    if (d.kind !== 'service') continue;
    const cluster = typeof d.raw.cluster === 'string' ? revisionRef(d.raw.cluster) : options.cluster;
    const name = d.value.serviceName;
    if (!once(`service "${name}" (cluster ${cluster})`, d)) continue;
    const names = declaredServices.get(cluster) ?? new Set<string>();
    names.add(name);
    declaredServices.set(cluster, names);
    const label = `${where(d.origin)}: service "${name}"`;
    if (!clusterNames.has(cluster)) {
      errors.push(
        `${label}: cluster "${cluster}" does not exist (declare it: a document with clusterName "${cluster}")`,
      );
      continue;
    }
    const ref = resolveTaskDefinition(d.value.taskDefinition, registering, live);
    if (typeof ref === 'string') {
      errors.push(`${label}: taskDefinition: ${ref}`);
      continue;
    }
    const current = live.services.get(cluster)?.find((s) => s.serviceName === name);
    if (!current) {
      changes.push({
        kind: 'service',
        action: 'create',
        cluster,
        name,
        taskDefinition: ref,
        request: { ...d.raw, cluster },
      });
      continue;
    }
    const update = serviceUpdate(d, current, ref);
    if (typeof update === 'string') errors.push(`${label}: ${update}`);
    else if (update.fields.length === 0) unchanged.push(`service "${name}" (cluster ${cluster})`);
    else changes.push({ kind: 'service', action: 'update', cluster, name, taskDefinition: ref, ...update });
  }

  for (const d of declared) {
    if (d.kind !== 'scalableTarget' && d.kind !== 'scalingPolicy') continue;
    const name = scalingName(d.kind, d.raw);
    if (!once(name, d)) continue;
    const current = live.scaling?.get(scalingKey(d.kind, d.raw));
    const want = comparableScaling(d.kind, d.raw);
    const have = current ? comparableScaling(d.kind, current) : undefined;
    if (have && want && canonical(have) === canonical(want)) unchanged.push(name);
    else
      changes.push({
        kind: d.kind,
        action: 'put',
        name,
        create: !current,
        fields: have && want ? fieldChanges(have, want) : [],
        request: d.raw,
      });
  }

  const elb = planElb(
    declared.flatMap((d) =>
      d.kind === 'targetGroup' || d.kind === 'loadBalancer' || d.kind === 'listener'
        ? [{ kind: d.kind, raw: d.raw, where: where(d.origin) }]
        : [],
    ),
    live.elb ?? emptyElb,
    (key, at) => {
      const first = seen.get(key);
      if (first) errors.push(`${at}: ${key} is declared twice (also in ${first})`);
      else seen.set(key, at);
      return !first;
    },
  );
  changes.push(...elb.changes);
  unchanged.push(...elb.unchanged);
  errors.push(...elb.errors);

  if (options.prune) {
    const scope = declaredServices.size > 0 ? [...declaredServices.keys()] : [options.cluster];
    for (const cluster of scope)
      for (const s of live.services.get(cluster) ?? [])
        if (!declaredServices.get(cluster)?.has(s.serviceName))
          changes.push({ kind: 'service', action: 'delete', cluster, name: s.serviceName });
  }
  return { changes, unchanged, errors };
}

function resolveTaskDefinition(
  ref: string,
  registering: ReadonlySet<string>,
  live: Live,
): TaskDefinitionRef | string {
  const r = revisionRef(ref);
  if (r.includes(':')) return { existing: r };
  if (registering.has(r)) return { registering: r };
  const latest = live.latest.get(r);
  if (latest) return { existing: `${r}:${latest.revision}` };
  return `family "${r}" has no ACTIVE revision and no document in this apply declares it`;
}

/** The UpdateService members that make `current` match the declaration, and what they change. */
function serviceUpdate(
  d: Extract<Declared, { kind: 'service' }>,
  current: WireService,
  ref: TaskDefinitionRef,
): { fields: FieldChange[]; request: Wire } | string {
  const parsedLive = parseService(current);
  if (isLeft(parsedLive)) return `the running service does not parse: ${parsedLive.left.message}`;
  const have: Service = parsedLive.right.value;
  const want = d.value;
  for (const f of FIXED)
    if (
      f === 'loadBalancers'
        ? canonical(byTargetGroupName(have[f])) !== canonical(byTargetGroupName(want[f]))
        : canonical(have[f]) !== canonical(want[f])
    )
      return `${f} cannot change on an existing service (${JSON.stringify(have[f])} → ${JSON.stringify(want[f])}); delete the service or give it a new name`;
  const fields: FieldChange[] = [];
  const request: Wire = {};
  const haveRef = revisionRef(have.taskDefinition);
  if ('registering' in ref || ref.existing !== haveRef) {
    fields.push({
      path: 'taskDefinition',
      before: haveRef,
      after: 'registering' in ref ? `${ref.registering}:(registered by this apply)` : ref.existing,
    });
  }
  for (const f of UPDATABLE) {
    // A field the document leaves out is not managed (desiredCount left to autoscaling, say).
    if (!(f in d.raw) && (f === 'desiredCount' || f === 'healthCheckGracePeriodSeconds')) continue;
    const changed = fieldChanges(have[f], want[f], f);
    if (changed.length === 0) continue;
    fields.push(...changed);
    request[f] = want[f];
  }
  return { fields, request };
}
