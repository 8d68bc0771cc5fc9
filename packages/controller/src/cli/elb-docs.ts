import { LoadBalancerName, parseTargetGroup, targetGroupNameOf } from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Wire } from './ecs-reads.js';
import { canonical, type FieldChange, fieldChanges } from './field-diff.js';

/**
 * ELBv2 documents in their AWS shapes: a CreateTargetGroup request (`Name` with `Protocol`,
 * `Port`, health-check fields…), a CreateLoadBalancer request (`Name` with `Type`/`Scheme`), a
 * CreateListener request (`DefaultActions`). A document names a load balancer or a target group by
 * ARN or by name (apply resolves names, so a folder can declare the whole chain before any ARN exists).
 */
export type ElbKind = 'targetGroup' | 'loadBalancer' | 'listener';

const TARGET_GROUP_KEYS = [
  'Protocol',
  'Port',
  'TargetType',
  'VpcId',
  'ProtocolVersion',
  'Matcher',
  'Attributes',
  'HealthCheckEnabled',
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckPath',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
];
const LOAD_BALANCER_KEYS = ['Type', 'Scheme', 'Subnets', 'SubnetMappings', 'SecurityGroups', 'IpAddressType'];

export function elbKindOf(raw: Record<string, unknown>): ElbKind | undefined {
  if ('DefaultActions' in raw) return 'listener';
  if ('TargetGroupName' in raw || ('Name' in raw && TARGET_GROUP_KEYS.some((k) => k in raw)))
    return 'targetGroup';
  if ('LoadBalancerName' in raw || ('Name' in raw && LOAD_BALANCER_KEYS.some((k) => k in raw)))
    return 'loadBalancer';
  return undefined;
}

/** A name of the document's resource (target groups and load balancers), as a string. */
export function elbNameOf(kind: ElbKind, raw: Record<string, unknown>): string {
  if (kind === 'targetGroup') return String(raw.Name ?? raw.TargetGroupName ?? '?');
  if (kind === 'loadBalancer') return String(raw.Name ?? raw.LoadBalancerName ?? '?');
  return `${loadBalancerNameOf(String(raw.LoadBalancerArn ?? '?'))}:${String(raw.Port ?? '?')}`;
}

export function elbLabel(kind: ElbKind, raw: Record<string, unknown>): string {
  const what = { targetGroup: 'target group', loadBalancer: 'load balancer', listener: 'listener' }[kind];
  return `${what} "${elbNameOf(kind, raw)}"`;
}

/** `arn:…:loadbalancer/app/<name>/<id>` → `<name>`; a name stays a name. */
export function loadBalancerNameOf(arnOrName: string): string {
  const m = /:loadbalancer\/(?:app|net)\/([^/]+)\//.exec(arnOrName);
  return m ? m[1]! : arnOrName;
}

/** Target groups an action forwards to (TargetGroupArn or ForwardConfig), by name. */
function forwardedTo(action: Wire): string[] {
  const direct = typeof action.TargetGroupArn === 'string' ? [action.TargetGroupArn] : [];
  const config = (action.ForwardConfig as { TargetGroups?: { TargetGroupArn?: string }[] } | undefined)
    ?.TargetGroups;
  const weighted = (config ?? []).map((t) => t.TargetGroupArn).filter((a): a is string => !!a);
  return [...new Set([...direct, ...weighted].map(targetGroupNameOf))];
}

/** The validation problems of an ELBv2 document as `path: message`, or none. */
export function elbIssues(kind: ElbKind, raw: Record<string, unknown>): string[] {
  if (kind === 'targetGroup') {
    const r = parseTargetGroup(raw);
    return isLeft(r) ? r.left.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${i.message}`) : [];
  }
  if (kind === 'loadBalancer') {
    const problems: string[] = [];
    const name = LoadBalancerName.safeParse(raw.Name ?? raw.LoadBalancerName);
    if (!name.success) problems.push(`Name: ${name.error.issues[0]?.message ?? 'invalid'}`);
    if (raw.Type !== undefined && raw.Type !== 'application' && raw.Type !== 'network')
      problems.push(`Type: must be application or network (got ${JSON.stringify(raw.Type)})`);
    if (raw.Scheme !== undefined && raw.Scheme !== 'internet-facing' && raw.Scheme !== 'internal')
      problems.push(`Scheme: must be internet-facing or internal (got ${JSON.stringify(raw.Scheme)})`);
    return problems;
  }
  const problems: string[] = [];
  if (typeof raw.LoadBalancerArn !== 'string' || raw.LoadBalancerArn === '')
    problems.push('LoadBalancerArn: required (the load balancer’s ARN or name)');
  if (typeof raw.Port !== 'number' || !Number.isInteger(raw.Port) || raw.Port < 1 || raw.Port > 65535)
    problems.push(`Port: must be a whole number within [1, 65535] (got ${JSON.stringify(raw.Port)})`);
  const actions = raw.DefaultActions;
  if (!Array.isArray(actions) || actions.length === 0)
    problems.push('DefaultActions: must be a list of at least one action');
  else
    actions.forEach((a, i) => {
      if (typeof a !== 'object' || a === null || typeof (a as Wire).Type !== 'string')
        problems.push(`DefaultActions[${i}].Type: required`);
      else if (forwardedTo(a as Wire).length === 0)
        problems.push(`DefaultActions[${i}]: names no target group (TargetGroupArn: an ARN or a name)`);
    });
  return problems;
}

/** What is already there, as far as the documents' ELBv2 resources are concerned. */
export interface LiveElb {
  /** By name, as DescribeTargetGroups returns them. */
  readonly targetGroups: ReadonlyMap<string, Wire>;
  /** Target group name → its attributes (DescribeTargetGroupAttributes), for the groups that declare some. */
  readonly targetGroupAttributes: ReadonlyMap<string, readonly { Key: string; Value: string }[]>;
  /** By name, as DescribeLoadBalancers returns them. */
  readonly loadBalancers: ReadonlyMap<string, Wire>;
  /** Load balancer name → its listeners (DescribeListeners). */
  readonly listeners: ReadonlyMap<string, readonly Wire[]>;
}

export type ElbChange =
  | {
      readonly kind: 'targetGroup';
      readonly action: 'create' | 'update';
      readonly name: string;
      readonly fields: readonly FieldChange[];
      /** CreateTargetGroup's request, or ModifyTargetGroup's members (without the ARN). */
      readonly request: Wire;
      /** ModifyTargetGroupAttributes' attributes, when some differ (or on create). */
      readonly attributes: readonly { Key: string; Value: string }[];
    }
  | {
      readonly kind: 'loadBalancer';
      readonly action: 'create';
      readonly name: string;
      readonly request: Wire;
    }
  | {
      readonly kind: 'listener';
      readonly action: 'create' | 'update';
      /** `<load balancer name>:<port>`. */
      readonly name: string;
      readonly loadBalancer: string;
      readonly listenerArn?: string;
      readonly fields: readonly FieldChange[];
      /** CreateListener's request with names still unresolved (apply resolves them as it goes). */
      readonly request: Wire;
    };

interface ElbDeclared {
  readonly kind: ElbKind;
  readonly raw: Record<string, unknown>;
  readonly where: string;
}

/** Target group fields fixed at creation (ELB has no call that changes them). */
const TG_FIXED = ['Protocol', 'Port', 'TargetType'] as const;
const TG_MODIFIABLE = [
  'HealthCheckEnabled',
  'HealthCheckProtocol',
  'HealthCheckPort',
  'HealthCheckPath',
  'HealthCheckIntervalSeconds',
  'HealthCheckTimeoutSeconds',
  'HealthyThresholdCount',
  'UnhealthyThresholdCount',
  'Matcher',
] as const;

function comparableTargetGroup(x: unknown): Record<string, unknown> | undefined {
  const r = parseTargetGroup(x);
  if (isLeft(r)) return undefined;
  const tg = r.right.value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of [...TG_FIXED, ...TG_MODIFIABLE]) if (tg[k] !== undefined) out[k] = tg[k];
  out.HealthCheckProtocol ??= tg.Protocol;
  return JSON.parse(canonical(out)) as Record<string, unknown>;
}

/**
 * The ELBv2 part of a plan: target groups (created, or modified to match), load balancers (created
 * when missing), listeners (created, or modified to match by load balancer and port). Pure.
 */
export function planElb(
  declared: readonly ElbDeclared[],
  live: LiveElb,
  once: (key: string, where: string) => boolean,
): { changes: ElbChange[]; unchanged: string[]; errors: string[] } {
  const changes: ElbChange[] = [];
  const unchanged: string[] = [];
  const errors: string[] = [];
  const declaredGroups = new Set<string>();
  const declaredLbTypes = new Map<string, string>();

  for (const d of declared) {
    if (d.kind !== 'targetGroup') continue;
    const name = elbNameOf('targetGroup', d.raw);
    const label = elbLabel('targetGroup', d.raw);
    if (!once(label, d.where)) continue;
    declaredGroups.add(name);
    const declaredAttributes = (d.raw.Attributes as { Key: string; Value: string }[] | undefined) ?? [];
    const { Attributes: _a, TargetGroupName: _n, ...createRequest } = d.raw;
    const current = live.targetGroups.get(name);
    if (!current) {
      changes.push({
        kind: 'targetGroup',
        action: 'create',
        name,
        fields: [],
        request: { ...createRequest, Name: name },
        attributes: declaredAttributes,
      });
      continue;
    }
    const have = comparableTargetGroup(current);
    const want = comparableTargetGroup(d.raw);
    if (!have || !want) {
      errors.push(`${d.where}: ${label}: the existing target group does not parse`);
      continue;
    }
    const fixed = TG_FIXED.find((k) => canonical(have[k]) !== canonical(want[k]));
    if (fixed) {
      errors.push(
        `${d.where}: ${label}: ${fixed} cannot change on an existing target group (${JSON.stringify(have[fixed])} → ${JSON.stringify(want[fixed])}); delete it or give it a new name`,
      );
      continue;
    }
    const fields: FieldChange[] = [];
    const request: Wire = {};
    for (const k of TG_MODIFIABLE) {
      const changed = fieldChanges(have[k], want[k], k);
      if (changed.length === 0) continue;
      fields.push(...changed);
      request[k] = want[k];
    }
    const liveAttributes = new Map(
      (live.targetGroupAttributes.get(name) ?? []).map((a) => [a.Key, a.Value] as const),
    );
    const attributes = declaredAttributes.filter((a) => liveAttributes.get(a.Key) !== a.Value);
    for (const a of attributes)
      fields.push({
        path: `Attributes.${a.Key}`,
        ...(liveAttributes.has(a.Key) ? { before: liveAttributes.get(a.Key) } : {}),
        after: a.Value,
      });
    if (fields.length === 0) unchanged.push(label);
    else changes.push({ kind: 'targetGroup', action: 'update', name, fields, request, attributes });
  }

  for (const d of declared) {
    if (d.kind !== 'loadBalancer') continue;
    const name = elbNameOf('loadBalancer', d.raw);
    const label = elbLabel('loadBalancer', d.raw);
    if (!once(label, d.where)) continue;
    const type = String(d.raw.Type ?? 'application');
    declaredLbTypes.set(name, type);
    const current = live.loadBalancers.get(name);
    const { LoadBalancerName: _n, ...request } = d.raw;
    if (!current) {
      changes.push({ kind: 'loadBalancer', action: 'create', name, request: { ...request, Name: name } });
      continue;
    }
    const scheme = String(d.raw.Scheme ?? 'internet-facing');
    if (current.Type !== type || current.Scheme !== scheme)
      errors.push(
        `${d.where}: ${label}: Type and Scheme cannot change on an existing load balancer (${String(current.Type)}/${String(current.Scheme)} → ${type}/${scheme}); delete it or give it a new name`,
      );
    else unchanged.push(label);
  }

  for (const d of declared) {
    if (d.kind !== 'listener') continue;
    const lbName = loadBalancerNameOf(String(d.raw.LoadBalancerArn));
    const port = d.raw.Port as number;
    const name = `${lbName}:${port}`;
    const label = `listener "${name}"`;
    if (!once(label, d.where)) continue;
    const lb = live.loadBalancers.get(lbName);
    const lbType = declaredLbTypes.get(lbName) ?? (lb?.Type as string | undefined);
    if (!lbType) {
      errors.push(
        `${d.where}: ${label}: LoadBalancerArn: load balancer "${lbName}" does not exist (declare it: a document with Name "${lbName}" and Type)`,
      );
      continue;
    }
    const actions = d.raw.DefaultActions as Wire[];
    const missing = actions
      .flatMap(forwardedTo)
      .filter((g) => !declaredGroups.has(g) && !live.targetGroups.has(g));
    if (missing.length > 0) {
      errors.push(
        `${d.where}: ${label}: DefaultActions: target group "${missing[0]}" does not exist (declare it: a document with Name "${missing[0]}" and Protocol, Port…)`,
      );
      continue;
    }
    const want = {
      Protocol: String(d.raw.Protocol ?? (lbType === 'network' ? 'TCP' : 'HTTP')),
      DefaultActions: actions.map((a) => ({ Type: a.Type, TargetGroups: forwardedTo(a) })),
    };
    const current = lb ? live.listeners.get(lbName)?.find((l) => l.Port === port) : undefined;
    if (!current) {
      changes.push({
        kind: 'listener',
        action: 'create',
        name,
        loadBalancer: lbName,
        fields: [],
        request: d.raw,
      });
      continue;
    }
    const have = {
      Protocol: current.Protocol,
      DefaultActions: ((current.DefaultActions as Wire[] | undefined) ?? []).map((a) => ({
        Type: a.Type,
        TargetGroups: forwardedTo(a),
      })),
    };
    const fields = fieldChanges(have, want);
    if (fields.length === 0) unchanged.push(label);
    else
      changes.push({
        kind: 'listener',
        action: 'update',
        name,
        loadBalancer: lbName,
        listenerArn: String(current.ListenerArn),
        fields,
        request: d.raw,
      });
  }
  return { changes, unchanged, errors };
}

/** A copy of a request with target group names in its actions replaced by ARNs. */
export function withTargetGroupArns(request: Wire, arnOf: (name: string) => string): Wire {
  const actions = (request.DefaultActions as Wire[] | undefined)?.map((a) => {
    const out: Wire = { ...a };
    if (typeof a.TargetGroupArn === 'string') out.TargetGroupArn = arnOf(targetGroupNameOf(a.TargetGroupArn));
    const config = a.ForwardConfig as { TargetGroups?: Wire[] } | undefined;
    if (config?.TargetGroups)
      out.ForwardConfig = {
        ...config,
        TargetGroups: config.TargetGroups.map((t) =>
          typeof t.TargetGroupArn === 'string'
            ? { ...t, TargetGroupArn: arnOf(targetGroupNameOf(t.TargetGroupArn)) }
            : t,
        ),
      };
    return out;
  });
  return actions ? { ...request, DefaultActions: actions } : request;
}
