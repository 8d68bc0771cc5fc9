// A Baton replica with leader election and no engines, for bench/store-etcd.ts's failover runs.
// argv[2]: JSON { endpoints, prefix, identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs }.
// Prints {"event":"ready"} and {"event":"leading","t":…} (epoch ms) when it wins the controller lock.

import { etcdStore } from '@baton-ecs/store';
import { createBaton, jsonLogger, silentLogger } from 'baton-ecs';

const c = JSON.parse(process.argv[2] ?? '{}') as {
  endpoints: string;
  prefix: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
};
const baton = await createBaton({
  store: etcdStore({ endpoints: c.endpoints, prefix: c.prefix }),
  cluster: 'bench',
  logger: process.env.BENCH_REPLICA_LOG ? jsonLogger('info') : silentLogger,
  leaderElection: {
    identity: c.identity,
    leaseDurationMs: c.leaseDurationMs,
    renewDeadlineMs: c.renewDeadlineMs,
    retryPeriodMs: c.retryPeriodMs,
  },
});
await baton.start();
let leading = false;
baton.leadership$.subscribe((states) => {
  const now = states.some((s) => s.lock === 'service-controller' && s.leading);
  if (now && !leading) process.stdout.write(`${JSON.stringify({ event: 'leading', t: Date.now() })}\n`);
  leading = now;
});
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
process.on('SIGTERM', () => void baton.stop().then(() => process.exit(0)));
