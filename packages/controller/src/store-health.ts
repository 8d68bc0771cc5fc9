import type { Logger } from '@baton-ecs/loop';
import type { PersistenceHealth } from '@baton-ecs/store';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';

/** What a readiness probe (`/readyz`) answers from: ready only while the store can make writes durable. */
export interface BatonHealth {
  readonly ready: boolean;
  readonly store: PersistenceHealth;
}

/** A store that reports its persistence health (the durable memory store does). */
interface HealthReporting {
  health(): PersistenceHealth;
  readonly health$: Observable<PersistenceHealth>;
}

function reportsHealth(store: unknown): store is HealthReporting {
  return typeof (store as Partial<HealthReporting>).health === 'function' && 'health$' in (store as object);
}

/**
 * Follows the store's persistence health: every change is logged (a failure at error level, with
 * its reason and errno code; the recovery at info) and published for readiness checks. A store that
 * does not report health (etcd's client reports its own errors per call) counts as healthy.
 */
export class StoreHealthMonitor {
  private readonly subject: BehaviorSubject<BatonHealth>;
  private subscription: Subscription | undefined;

  constructor(
    private readonly store: unknown,
    private readonly logger: Logger,
  ) {
    this.subject = new BehaviorSubject(this.current());
  }

  get health$(): Observable<BatonHealth> {
    return this.subject.asObservable();
  }

  current(): BatonHealth {
    const store: PersistenceHealth = reportsHealth(this.store)
      ? this.store.health()
      : { status: 'ok', durableVersion: 0, since: 0 };
    return { ready: store.status === 'ok', store };
  }

  start(): void {
    if (this.subscription || !reportsHealth(this.store)) return;
    let previous: PersistenceHealth | undefined;
    this.subscription = this.store.health$.subscribe((h) => {
      if (previous && (h.status !== previous.status || h.lastSnapshotError !== previous.lastSnapshotError)) {
        if (h.status !== 'ok') {
          this.logger({
            level: 'error',
            msg:
              h.status === 'failed'
                ? 'store persistence failed; reopen the store'
                : 'store persistence failing; writes refused, retrying',
            reason: h.reason,
            code: h.code,
            durableVersion: h.durableVersion,
          });
        } else if (previous.status !== 'ok') {
          this.logger({
            level: 'info',
            msg: 'store persistence recovered',
            durableVersion: h.durableVersion,
          });
        }
        if (h.lastSnapshotError && h.lastSnapshotError !== previous.lastSnapshotError)
          this.logger({
            level: 'warn',
            msg: 'store snapshot failed; retried later',
            reason: h.lastSnapshotError,
          });
      }
      previous = h;
      this.subject.next({ ready: h.status === 'ok', store: h });
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
