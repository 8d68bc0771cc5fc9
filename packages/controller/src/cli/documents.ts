import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import {
  type Cluster,
  parseCluster,
  parseService,
  parseTaskDefinition,
  type Service,
  type TaskDefinition,
  type ValidationError,
  withoutNulls,
} from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import { type ElbKind, elbIssues, elbKindOf, elbLabel } from './elb-docs.js';
import { type ScalingKind, scalingIssues, scalingKindOf, scalingName } from './scaling-docs.js';

/** Where a document came from: its file and, in a file of several, its position (1-based). */
export interface Origin {
  readonly file: string;
  readonly index?: number;
}

/** A declared resource: its kind, its text as written (nulls dropped) and its parsed value. */
export type Declared =
  | {
      readonly kind: 'cluster';
      readonly origin: Origin;
      readonly raw: Record<string, unknown>;
      readonly value: Cluster;
    }
  | {
      readonly kind: 'taskDefinition';
      readonly origin: Origin;
      readonly raw: Record<string, unknown>;
      readonly value: TaskDefinition;
    }
  | {
      readonly kind: 'service';
      readonly origin: Origin;
      readonly raw: Record<string, unknown>;
      readonly value: Service;
    }
  | {
      readonly kind: ScalingKind | ElbKind;
      readonly origin: Origin;
      readonly raw: Record<string, unknown>;
      readonly value: Record<string, unknown>;
    };

export function where(o: Origin): string {
  return o.index === undefined ? o.file : `${o.file}#${o.index}`;
}

/** The keys a cluster document may have (CreateCluster's request): "one with only clusterName". */
const CLUSTER_KEYS = new Set([
  'clusterName',
  'settings',
  'tags',
  'capacityProviders',
  'defaultCapacityProviderStrategy',
  'configuration',
  'serviceConnectDefaults',
]);

/** describe-* output wraps objects: unwrap them so `baton get … -o json` output applies as it is. */
const ENVELOPES = ['taskDefinition', 'taskDefinitions', 'service', 'services', 'cluster', 'clusters'];

/** The files a path names: itself, or a folder's .json/.yaml/.yml files (not recursive), sorted. */
export function documentFiles(path: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new Error(`${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => ['.json', '.yaml', '.yml'].includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(path, f));
}

/** Every document of every file under `paths`, classified and validated; errors name file and field. */
export async function loadDocuments(
  paths: readonly string[],
): Promise<{ declared: Declared[]; errors: string[] }> {
  const declared: Declared[] = [];
  const errors: string[] = [];
  for (const file of paths.flatMap(documentFiles)) {
    let texts: { value: unknown; index?: number }[];
    try {
      texts = await parseFile(file);
    } catch (error) {
      errors.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    const docs = texts.flatMap((t) => unwrap(t.value).map((value) => ({ value, index: t.index })));
    docs.forEach((d, i) => {
      const origin: Origin = docs.length > 1 ? { file, index: d.index ?? i + 1 } : { file };
      const r = classify(d.value, origin);
      if (typeof r === 'string') errors.push(r);
      else declared.push(r);
    });
  }
  return { declared, errors };
}

async function parseFile(file: string): Promise<{ value: unknown; index?: number }[]> {
  const text = readFileSync(file, 'utf8');
  if (extname(file).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new Error(`invalid JSON: ${(error as Error).message}`);
    }
    return Array.isArray(value) ? value.map((v, i) => ({ value: v, index: i + 1 })) : [{ value }];
  }
  const { parseAllDocuments } = await import('yaml');
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const out: { value: unknown; index?: number }[] = [];
  for (const [i, doc] of list.entries()) {
    const error = doc.errors[0];
    if (error) throw new Error(`invalid YAML: ${error.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push({ value: v, index: out.length + 1 });
    else out.push({ value, ...(list.length > 1 ? { index: i + 1 } : {}) });
  }
  return out;
}

function unwrap(value: unknown): unknown[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [value];
  const keys = Object.keys(value);
  const inner = (value as Record<string, unknown>)[keys[0] ?? ''];
  if (keys.length === 1 && ENVELOPES.includes(keys[0]!)) return Array.isArray(inner) ? inner : [inner];
  return [value];
}

function issues(origin: Origin, name: string, error: ValidationError): string {
  return error.issues
    .map((i) => `${where(origin)}: ${name}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
    .join('\n');
}

/** What a document is, by the field only that kind has; a document of no known kind is an error. */
export function classify(input: unknown, origin: Origin): Declared | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return `${where(origin)}: a document must be an object (got ${Array.isArray(input) ? 'a list' : input === null ? 'null' : typeof input})`;
  const raw = withoutNulls(input) as Record<string, unknown>;
  if ('containerDefinitions' in raw) {
    const r = parseTaskDefinition(raw);
    const name = `task definition "${String(raw.family ?? '?')}"`;
    return isLeft(r)
      ? issues(origin, name, r.left)
      : { kind: 'taskDefinition', origin, raw, value: r.right.value };
  }
  if ('serviceName' in raw) {
    const r = parseService(raw);
    const name = `service "${String(raw.serviceName)}"`;
    return isLeft(r) ? issues(origin, name, r.left) : { kind: 'service', origin, raw, value: r.right.value };
  }
  if ('clusterName' in raw && Object.keys(raw).every((k) => CLUSTER_KEYS.has(k))) {
    const r = parseCluster(raw);
    const name = `cluster "${String(raw.clusterName)}"`;
    return isLeft(r) ? issues(origin, name, r.left) : { kind: 'cluster', origin, raw, value: r.right.value };
  }
  const scaling = scalingKindOf(raw);
  if (scaling) {
    const problems = scalingIssues(scaling, raw);
    if (problems.length > 0)
      return problems.map((p) => `${where(origin)}: ${scalingName(scaling, raw)}: ${p}`).join('\n');
    return { kind: scaling, origin, raw, value: raw };
  }
  const elb = elbKindOf(raw);
  if (elb) {
    const problems = elbIssues(elb, raw);
    if (problems.length > 0)
      return problems.map((p) => `${where(origin)}: ${elbLabel(elb, raw)}: ${p}`).join('\n');
    return { kind: elb, origin, raw, value: raw };
  }
  const keys = Object.keys(raw).slice(0, 5).join(', ');
  return `${where(origin)}: unknown document (fields: ${keys || 'none'}): expected a task definition (containerDefinitions), a service (serviceName), a cluster (clusterName and CreateCluster's fields only), a scalable target (ScalableDimension, MinCapacity, MaxCapacity), a scaling policy (PolicyName, PolicyType), a target group (Name with Protocol, Port…), a load balancer (Name with Type or Scheme) or a listener (DefaultActions)`;
}
