import { type Either, isLeft, right } from 'fp-ts/lib/Either.js';
import { ClusterState } from './cluster-state.js';
import { explainUnplaced, type PlacementExplanation } from './explanation.js';
import { firstRejecting } from './filters.js';
import { finish, recordPlacement } from './place-tasks.js';
import {
  compileRequest,
  type PlacementContext,
  type PlacementFailure,
  type PlacementOutcome,
  type PlacementRequest,
  type TaskPlacement,
} from './request.js';
import { pickBest } from './select/linear.js';
import type { ClusterSnapshot } from './snapshot.js';
import { StrategyKeys } from './strategy.js';

/**
 * The straightforward placement: for every task, run the whole filter
 * pipeline over every instance and take the best by the strategy chain.
 * O(instances × filters) per task. It decides exactly what placeTasks
 * decides (same filters, keys, tie-breaks and random draws), so it is the
 * reference the fast path is tested against and the benchmark's baseline.
 */
export function placeTasksLinearScan(
  request: PlacementRequest,
  cluster: ClusterSnapshot | ClusterState,
  ctx: PlacementContext,
): Either<PlacementFailure, PlacementOutcome> {
  const state = cluster instanceof ClusterState ? cluster : ClusterState.fromSnapshot(cluster);
  const compiled = compileRequest(request, state);
  if (isLeft(compiled)) return compiled;
  const req = compiled.right;
  if (req.count === 0)
    return right({ requestedCount: 0, placements: [], unplacedCount: 0, explanation: undefined });
  const records = state.records;
  const keys = new StrategyKeys(state, req.chain, req.group);
  const all = records.map((r) => r.index);
  const tied = new Int32Array(records.length);
  const placements: TaskPlacement[] = [];
  let explanation: PlacementExplanation | undefined;
  for (let t = 0; t < req.count; t++) {
    const feasible = (i: number) => firstRejecting(req.filters, records[i]!) === req.filters.length;
    const index = pickBest(keys, all, feasible, tied, ctx.random);
    if (index < 0) {
      explanation = explainUnplaced(records, req.filters);
      break;
    }
    placements.push(recordPlacement(state, keys, req, request, t, index));
  }
  keys.release();
  return finish(req, placements, explanation);
}
