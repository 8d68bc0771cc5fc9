import { resourceName } from '@baton-ecs/model';
import { type FilterName, type FilterRejection, firstRejecting, type PlacementFilter } from './filters.js';
import type { InstanceRecord } from './instance-record.js';

/** The instance that passed the most filters, in ECS order, and the filter that stopped it. */
export interface ClosestInstance {
  readonly containerInstanceArn: string;
  /** The last part of the ARN, as ECS prints it. */
  readonly containerInstanceId: string;
  readonly ec2InstanceId: string;
  readonly filter: FilterName;
  /** memberOf: the expression; status: the instance's status. */
  readonly detail?: string;
}

/** Why a task could not be placed: data first, `message` is its rendering. */
export interface PlacementExplanation {
  /** Instances in the cluster when the placement failed. */
  readonly instanceCount: number;
  /** Per filter, how many instances it was the first to reject; ECS order, non-zero only. */
  readonly rejections: readonly FilterRejection[];
  readonly closest: ClosestInstance | undefined;
  readonly message: string;
}

export const noInstancesMessage =
  'unable to place a task. Reason: No Container Instances were found in your cluster.';
export const noInstanceMetRequirements =
  'unable to place a task because no container instance met all of its requirements.';

/** Runs every filter over every instance and reports the first rejection of each. */
export function explainUnplaced(
  records: readonly InstanceRecord[],
  filters: readonly PlacementFilter[],
): PlacementExplanation {
  const counts = new Array<number>(filters.length).fill(0);
  let closest: InstanceRecord | undefined;
  let closestDepth = -1;
  for (const r of records) {
    const f = firstRejecting(filters, r);
    if (f === filters.length) continue;
    counts[f]!++;
    if (f > closestDepth) {
      closestDepth = f;
      closest = r;
    }
  }
  const rejections = filters.flatMap((filter, f) => (counts[f]! > 0 ? [filter.explain(counts[f]!)] : []));
  const stoppedBy = filters[closestDepth];
  const closestInstance: ClosestInstance | undefined =
    closest === undefined || stoppedBy === undefined
      ? undefined
      : {
          containerInstanceArn: closest.arn,
          containerInstanceId: resourceName(closest.arn),
          ec2InstanceId: closest.id,
          filter: stoppedBy.name,
          ...(stoppedBy.name === 'status'
            ? { detail: closest.status }
            : stoppedBy.detail === undefined
              ? {}
              : { detail: stoppedBy.detail }),
        };
  const data = { instanceCount: records.length, rejections, closest: closestInstance };
  return { ...data, message: formatPlacementExplanation(data) };
}

/** "insufficient memory", "memberOf constraint attribute:ecs.instance-type =~ t3.*". */
export function describeRejection(rejection: Pick<FilterRejection, 'filter' | 'detail'>): string {
  switch (rejection.filter) {
    case 'status':
      return 'not ACTIVE';
    case 'agent':
      return 'agent disconnected';
    case 'cpu':
      return 'insufficient CPU units';
    case 'memory':
      return 'insufficient memory';
    case 'ports':
      return 'port already in use';
    case 'distinctInstance':
      return 'distinctInstance constraint';
    case 'memberOf':
      return `memberOf constraint ${rejection.detail ?? ''}`.trimEnd();
  }
}

/** What the closest instance lacks, in ECS's words where ECS has them. */
export function describeClosest(closest: Pick<ClosestInstance, 'filter' | 'detail'>): string {
  switch (closest.filter) {
    case 'status':
      return `is ${closest.detail ?? 'not ACTIVE'}`;
    case 'agent':
      return 'encountered error "AGENT"';
    case 'cpu':
      return 'has insufficient CPU units available';
    case 'memory':
      return 'has insufficient memory available';
    case 'ports':
      return 'is already using a port required by your task';
    case 'distinctInstance':
      return 'does not meet placement constraint distinctInstance: it already runs a task of this group';
    case 'memberOf':
      return `does not meet placement constraint memberOf(${closest.detail ?? ''})`;
  }
}

/** "4 instances: insufficient memory; 1 instance: port already in use". */
export function formatRejections(rejections: readonly FilterRejection[]): string {
  return rejections
    .map(
      (r) =>
        `${r.instanceCount} ${r.instanceCount === 1 ? 'instance' : 'instances'}: ${describeRejection(r)}`,
    )
    .join('; ');
}

export function formatPlacementExplanation(explanation: Omit<PlacementExplanation, 'message'>): string {
  const sentence = formatEcsPlacementSentence(explanation);
  if (explanation.instanceCount === 0 || explanation.rejections.length === 0) return sentence;
  return `${sentence} ${formatRejections(explanation.rejections)}`;
}

/**
 * ECS's own sentence, word for word and nothing after it (developer guide, "Service event messages":
 * "… was unable to place a task because no container instance met all of its requirements. The
 * closest matching container-instance container-instance-id has insufficient CPU units available."),
 * so tools that match ECS's text still match; Baton's per-filter breakdown is `formatRejections`.
 */
export function formatEcsPlacementSentence(explanation: Omit<PlacementExplanation, 'message'>): string {
  if (explanation.instanceCount === 0) return noInstancesMessage;
  if (explanation.closest === undefined) return noInstanceMetRequirements;
  return `${noInstanceMetRequirements} The closest matching container-instance ${explanation.closest.containerInstanceId} ${describeClosest(explanation.closest)}.`;
}
