import { connect, connectionHelp, duration, parseVerb, type VerbIo } from './client-args.js';
import { allServices, describeServices, type WireService } from './ecs-reads.js';
import { time } from './output.js';
import { UsageError } from './usage-error.js';

export const eventsUsage = `usage: baton events [SERVICE] [options]

Service events, oldest first: one service's, or every service's in the cluster.

  -f, --follow         keep printing new events as they happen (Ctrl-C stops)
  --since <duration>   only events newer than this (30s, 5m, 2h)
  --interval <dur>     how often to look for new events with -f (default 2s)

${connectionHelp}

examples:
  baton events web
  baton events -f
  baton events web --since 10m --cluster prod`;

interface Event {
  readonly id: string;
  readonly service: string;
  readonly createdAt: number;
  readonly message: string;
}

function eventsOf(services: readonly WireService[]): Event[] {
  return services
    .flatMap((s) =>
      (s.events ?? []).map((e) => ({
        id: e.id ?? `${s.serviceName}:${e.createdAt}:${e.message}`,
        service: s.serviceName,
        createdAt: e.createdAt ?? 0,
        message: e.message ?? '',
      })),
    )
    .sort((a, b) => a.createdAt - b.createdAt);
}

export async function events(io: VerbIo): Promise<number> {
  const { values, positionals } = parseVerb(io.argv, {
    follow: { type: 'boolean', short: 'f' },
    since: { type: 'string' },
    interval: { type: 'string' },
  });
  if (values.help) {
    io.stdout(eventsUsage);
    return 0;
  }
  const [service, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const since = values.since === undefined ? 0 : Date.now() / 1000 - duration('--since', values.since) / 1000;
  const interval = values.interval === undefined ? 2000 : duration('--interval', values.interval);
  const { client, cluster } = await connect(values, io.env);
  const read = async () => {
    if (!service) return allServices(client, cluster);
    const found = await describeServices(client, cluster, [service]);
    if (found.length === 0) throw new Error(`service "${service}" not found in cluster "${cluster}"`);
    return found;
  };
  const seen = new Set<string>();
  const show = (list: Event[]) => {
    for (const e of list) {
      if (seen.has(e.id) || e.createdAt < since) continue;
      seen.add(e.id);
      io.stdout(
        service ? `${time(e.createdAt)}  ${e.message}` : `${time(e.createdAt)}  ${e.service}  ${e.message}`,
      );
    }
  };
  show(eventsOf(await read()));
  if (!values.follow) return 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, interval));
    show(eventsOf(await read()));
  }
}
