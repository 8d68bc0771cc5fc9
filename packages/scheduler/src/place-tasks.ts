import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { ClusterState } from './cluster-state.js';
import { explainUnplaced, type PlacementExplanation } from './explanation.js';
import {
  type CompiledRequest,
  compileRequest,
  fitsAnother,
  type PlacementContext,
  type PlacementFailure,
  type PlacementOutcome,
  type PlacementRequest,
  type TaskPlacement,
} from './request.js';
import { LinearSelector } from './select/linear.js';
import { RandomPickSelector } from './select/random-pick.js';
import type { InstanceSelector } from './select/selector.js';
import { TreeSelector } from './select/tree.js';
import type { ClusterSnapshot } from './snapshot.js';
import { StrategyKeys } from './strategy.js';

/**
 * Places `request.count` identical tasks. Filters run once per request over
 * the candidates (fact-only ones through the state's caches); the strategy
 * chain then picks instance after instance from an index that is updated,
 * after each placement, only for the instance that took the task — so one
 * call never over-commits an instance, and costs one pass over the
 * candidates plus O(log instances) per task. Chains ending in spread over
 * instances or in binpack skip that pass: the state's long-lived indexes
 * (FitIndex, ResourceOrder) yield the best `count` candidates of each
 * bucket directly, so a small request costs far less than the cluster's
 * size.
 *
 * Given a ClusterState, the placements are recorded in it (later calls see
 * them); given a snapshot, a private state is built and discarded.
 */
export function placeTasks(
  request: PlacementRequest,
  cluster: ClusterSnapshot | ClusterState,
  ctx: PlacementContext,
): Either<PlacementFailure, PlacementOutcome> {
  const state = cluster instanceof ClusterState ? cluster : ClusterState.fromSnapshot(cluster);
  const compiled = compileRequest(request, state);
  if (isLeft(compiled)) return compiled;
  const req = compiled.right;
  if (req.count === 0) return right(outcome(0, [], undefined));
  const records = state.records;
  const keys = new StrategyKeys(state, req.chain, req.group);
  const selector = createSelector(state, req, keys);
  const placements: TaskPlacement[] = [];
  let explanation: PlacementExplanation | undefined;
  for (let t = 0; t < req.count; t++) {
    const index = selector.next(ctx.random);
    if (index < 0) {
      explanation = explainUnplaced(records, req.filters);
      break;
    }
    const record = records[index]!;
    placements.push(recordPlacement(state, keys, req, request, t, index));
    selector.placed(index, fitsAnother(req, record));
  }
  keys.release();
  return finish(req, placements, explanation);
}

/**
 * Filters once and indexes the candidates for the chain: a tree of heaps for
 * deterministic chains, a Fenwick tree when the chain starts with random, a
 * scan otherwise.
 */
function createSelector(state: ClusterState, req: CompiledRequest, keys: StrategyKeys): InstanceSelector {
  if (!keys.random) {
    const buckets = state.staticBuckets(req.staticQueries, TreeSelector.bucketAttributes(keys));
    return new TreeSelector(keys, buckets, req);
  }
  const records = state.records;
  const candidates: number[] = [];
  for (const i of state.staticCandidates(req.staticQueries))
    if (fitsAnother(req, records[i]!)) candidates.push(i);
  return keys.length === 0 ? new RandomPickSelector(candidates) : new LinearSelector(keys, candidates);
}

/** Reserves the task's resources on the instance and accounts it in the strategy keys. */
export function recordPlacement(
  state: ClusterState,
  keys: StrategyKeys,
  req: CompiledRequest,
  request: PlacementRequest,
  taskIndex: number,
  index: number,
): TaskPlacement {
  state.reserve(index, req.demand, req.group, request.taskArns?.[taskIndex]);
  keys.onPlaced(index);
  const record = state.records[index]!;
  return { taskIndex, containerInstanceArn: record.arn, ec2InstanceId: record.id };
}

export function finish(
  req: CompiledRequest,
  placements: readonly TaskPlacement[],
  explanation: PlacementExplanation | undefined,
): Either<PlacementFailure, PlacementOutcome> {
  if (placements.length === 0 && explanation !== undefined) {
    return left({
      type: 'NoInstanceMetRequirements',
      requestedCount: req.count,
      explanation,
      message: explanation.message,
    });
  }
  return right(outcome(req.count, placements, explanation));
}

function outcome(
  requestedCount: number,
  placements: readonly TaskPlacement[],
  explanation: PlacementExplanation | undefined,
): PlacementOutcome {
  return { requestedCount, placements, unplacedCount: requestedCount - placements.length, explanation };
}
