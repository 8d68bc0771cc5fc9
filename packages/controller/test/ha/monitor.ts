import { type BatonKinds, type Store, serviceKey } from '@baton-ecs/store';
import { clusterContainers } from '../e2e/harness.js';

const TASK_LABEL = 'com.baton.task-arn';

/**
 * Watches a service from outside every replica, every 100 ms: the live tasks in the store (desired
 * RUNNING, not yet STOPPED) and the running containers on the engine, per task. Records the worst it
 * saw, so a test can assert the invariants held for the whole run, failover included.
 */
export class ServiceMonitor {
  maxLiveTasks = 0;
  maxContainersPerTask = 0;
  samples = 0;
  readonly violations: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly store: Store<BatonKinds>,
    private readonly engine: string,
    private readonly cluster: string,
    private readonly service: string,
    private readonly maxLive: number,
  ) {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The service's live tasks now. */
  async liveTasks() {
    const { items } = await this.store.list('Task', {
      index: 'byService',
      value: serviceKey(this.cluster, this.service),
    });
    return items.filter((e) => e.object.desiredStatus === 'RUNNING' && e.object.lastStatus !== 'STOPPED');
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const live = await this.liveTasks();
        this.maxLiveTasks = Math.max(this.maxLiveTasks, live.length);
        if (live.length > this.maxLive) {
          this.violations.push(
            `${new Date().toISOString()}: ${live.length} live tasks (max ${this.maxLive})`,
          );
        }
        const perTask = new Map<string, number>();
        for (const c of await clusterContainers(this.engine, this.cluster)) {
          const arn = c.Labels[TASK_LABEL];
          if (arn) perTask.set(arn, (perTask.get(arn) ?? 0) + 1);
        }
        for (const [arn, n] of perTask) {
          this.maxContainersPerTask = Math.max(this.maxContainersPerTask, n);
          if (n > 1) this.violations.push(`${new Date().toISOString()}: ${n} running containers for ${arn}`);
        }
        this.samples++;
      } catch {
        // a sample lost to a slow engine or etcd: the next one counts
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
