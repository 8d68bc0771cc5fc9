import { request } from 'node:http';
import { connect } from 'node:net';
import { matchesHttpCode } from '@baton-ecs/model';
import { Observable } from 'rxjs';
import type { HealthCheckSpec } from './check.js';
import { type ProbeOutcome, probeFailures } from './target-health.js';

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * Runs one check against a target and emits its outcome once. Timeouts are the monitor's job (on
 * its scheduler); unsubscribing aborts the check.
 */
export type Prober = (target: ProbeTarget, check: HealthCheckSpec) => Observable<ProbeOutcome>;

/** GET the check's path on a fresh connection; the status must match the matcher. */
export const httpProbe: Prober = (target, check) =>
  new Observable<ProbeOutcome>((subscriber) => {
    const req = request(
      {
        host: target.host,
        port: check.port ?? target.port,
        path: check.path,
        method: 'GET',
        agent: false,
        headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        subscriber.next(
          matchesHttpCode(check.matcher, status) ? { ok: true } : probeFailures.responseCode(status),
        );
        subscriber.complete();
        req.destroy();
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      subscriber.next(probeFailures.failed(err.code ?? err.message));
      subscriber.complete();
    });
    req.end();
    return () => req.destroy();
  });

/** A TCP connect: passing when the connection is accepted. */
export const tcpProbe: Prober = (target, check) =>
  new Observable<ProbeOutcome>((subscriber) => {
    const socket = connect({ host: target.host, port: check.port ?? target.port });
    socket.once('connect', () => {
      subscriber.next({ ok: true });
      subscriber.complete();
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      subscriber.next(probeFailures.failed(err.code ?? err.message));
      subscriber.complete();
    });
    return () => socket.destroy();
  });

/** HTTP or TCP, as the check says. */
export const defaultProber: Prober = (target, check) =>
  check.protocol === 'TCP' ? tcpProbe(target, check) : httpProbe(target, check);
