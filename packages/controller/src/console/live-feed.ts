import type { ServerResponse } from 'node:http';
import { clusterNameOf } from '@baton-ecs/model';
import {
  asyncScheduler,
  auditTime,
  concatMap,
  distinctUntilChanged,
  from,
  map,
  merge,
  type Observable,
  type SchedulerLike,
  type Subscription,
  share,
} from 'rxjs';
import type { Baton } from '../baton.js';
import { consoleSnapshot } from './snapshot.js';
import type { UsageSampler } from './usage-sampler.js';
import type { ConsoleSnapshot, EventView } from './wire.js';

/**
 * The console's live picture: a snapshot recomputed (at most every `settleMs`) when a service, task,
 * instance or cluster changes or a new usage sample arrives, and the services' events as they happen —
 * all from Baton's own caches and streams.
 */
export class LiveFeed {
  readonly snapshots$: Observable<string>;
  readonly events$: Observable<EventView>;

  constructor(
    private readonly baton: Baton,
    private readonly sampler: UsageSampler,
    settleMs = 250,
    scheduler: SchedulerLike = asyncScheduler,
  ) {
    const i = baton.internals.informers;
    this.snapshots$ = merge(
      i.services.changes,
      i.tasks.changes,
      i.instances.changes,
      i.clusters.changes,
      sampler.ticks$,
    ).pipe(
      auditTime(settleMs, scheduler),
      concatMap(async () => JSON.stringify(await this.snapshot())),
      distinctUntilChanged(),
      share(),
    );
    this.events$ = baton.serviceEvents$.pipe(
      map((n) => ({
        id: n.event.id,
        at: n.event.createdAt,
        cluster: n.cluster,
        service: n.serviceName,
        message: n.event.message,
      })),
      share(),
    );
  }

  async snapshot(): Promise<ConsoleSnapshot> {
    const i = this.baton.internals.informers;
    const objects = <T>(inf: { values(): IterableIterator<{ object: T }> }) =>
      [...inf.values()].map((e) => e.object);
    const clusters = objects(i.clusters);
    // DescribeContainerInstances says what each instance has left (the scheduler's own accounting).
    const instances = (
      await Promise.all(
        clusters.map(async (c) => {
          const arns = objects(i.instances)
            .filter((x) => clusterNameOf(x.containerInstanceArn) === c.clusterName)
            .map((x) => x.containerInstanceArn);
          if (arns.length === 0) return [];
          const r = await this.baton.describeContainerInstances({
            cluster: c.clusterName,
            containerInstances: arns,
          });
          return r.containerInstances;
        }),
      )
    ).flat();
    const services = objects(i.services);
    // DescribeScalingActivities, per service (a scaling change also changes the service: a new snapshot).
    const scalingActivities = new Map(
      services.map((s) => [
        `${s.cluster}/${s.serviceName}`,
        this.baton.autoScaling.describeScalingActivities({
          ResourceId: `service/${s.cluster}/${s.serviceName}`,
        }).ScalingActivities,
      ]),
    );
    return consoleSnapshot({
      now: this.baton.internals.clock.now(),
      clusters,
      instances,
      services,
      tasks: objects(i.tasks),
      usage: this.sampler.usage(),
      scalingActivities,
    });
  }

  /** Streams the feed to one page as server-sent events until it goes away. */
  stream(res: ServerResponse): Subscription {
    const send = (event: string, data: string) => res.write(`event: ${event}\ndata: ${data}\n\n`);
    send('metrics-history', JSON.stringify(this.sampler.points()));
    const sub = merge(from(this.snapshot()).pipe(map((s) => JSON.stringify(s))), this.snapshots$).subscribe(
      (s) => send('snapshot', s),
    );
    sub.add(this.events$.subscribe((e) => send('service-event', JSON.stringify(e))));
    sub.add(this.sampler.ticks$.subscribe((t) => send('metrics', JSON.stringify(t))));
    // A comment every 15 s keeps proxies from closing a quiet stream.
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    sub.add(() => clearInterval(ping));
    return sub;
  }
}
