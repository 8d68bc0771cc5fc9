export { untilAborted } from './abort.js';
export { type Clock, clockScheduler, every, ManualClock, systemClock } from './clock.js';
export {
  CacheSyncTimeoutError,
  ControllerLoop,
  type ControllerLoopOptions,
  type ReconcileContext,
  type ReconcileOutcome,
  type ReconcileResult,
  type SyncedCache,
  TerminalError,
} from './controller-loop.js';
export {
  Counters,
  durationBuckets,
  type HistogramSnapshot,
  jsonLogger,
  type Logger,
  type LogRecord,
  silentLogger,
} from './observability.js';
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
