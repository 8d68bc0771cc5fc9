import type { MetricPoint, ServiceView } from './api.js';
import { ServiceChart } from './chart.js';
import { ago, tone } from './format.js';

export function Services(props: {
  services: readonly ServiceView[];
  metrics: Readonly<Record<string, readonly MetricPoint[]>>;
  now: number;
  onScale: (s: ServiceView) => void;
  onForceDeployment: (s: ServiceView) => void;
}) {
  if (props.services.length === 0) return <p class="empty">No services in this cluster.</p>;
  return (
    <div class="services">
      {props.services.map((s) => {
        const primary = s.deployments.find((d) => d.status === 'PRIMARY');
        const progress =
          primary && primary.desired > 0 ? Math.min(100, (primary.running * 100) / primary.desired) : 100;
        const last = s.events[0];
        return (
          <article class="card service" key={s.key} data-service={s.name}>
            <header>
              <strong class="service-name">{s.name}</strong>
              <span class="muted">{s.taskDefinition}</span>
              <span class="counts" data-counts>
                <b data-running>{s.running}</b> running · <b data-desired>{s.desired}</b> desired
                {s.pending > 0 && <> · {s.pending} pending</>}
              </span>
            </header>
            <div class="deployments">
              {s.deployments.map((d) => (
                <div class="deployment" key={d.id} data-deployment={d.id}>
                  <span class={`pill ${tone(d.status)}`}>{d.status}</span>
                  <span>{d.taskDefinition}</span>
                  <span class="muted">
                    {d.running}/{d.desired} running{d.pending > 0 ? `, ${d.pending} pending` : ''}
                    {d.failed > 0 ? `, ${d.failed} failed` : ''}
                  </span>
                  <span class={`pill ${tone(d.rolloutState)}`}>{d.rolloutState.replace('_', ' ')}</span>
                </div>
              ))}
              {primary && primary.rolloutState === 'IN_PROGRESS' && (
                <div class="progress" role="progressbar" aria-valuenow={Math.round(progress)}>
                  <div style={{ width: `${progress}%` }} />
                </div>
              )}
            </div>
            {s.breaker && (
              <p class={s.breaker.tripped ? 'breaker bad' : 'breaker'}>
                Circuit breaker: {s.breaker.failures}/{s.breaker.threshold} failures
                {s.breaker.rollback ? ', rolls back' : ''}
                {s.breaker.tripped ? ' — tripped' : ''}
              </p>
            )}
            {s.unplaced && (
              <p class="unplaced" data-unplaced>
                <b>Cannot place tasks:</b> {s.unplaced}
              </p>
            )}
            {last && last.message !== s.unplaced && (
              <p class="last-event">
                <span class="muted">{ago(last.at, props.now)}</span> {last.message}
              </p>
            )}
            {s.scaling.length > 0 && (
              <ul class="scaling" data-scaling aria-label={`Scaling activities of ${s.name}`}>
                {s.scaling.map((a) => (
                  <li key={a.id} data-activity={a.status} title={a.statusMessage ?? a.cause}>
                    <span class={`pill ${tone(a.status)}`}>{a.status}</span>{' '}
                    <span class="muted">{ago(a.at, props.now)}</span> {a.description}{' '}
                    <span class="muted">{a.cause}</span>
                  </li>
                ))}
              </ul>
            )}
            <ServiceChart points={props.metrics[s.key] ?? []} />
            <footer>
              <button type="button" onClick={() => props.onScale(s)}>
                Scale…
              </button>
              <button type="button" onClick={() => props.onForceDeployment(s)}>
                Force new deployment…
              </button>
            </footer>
          </article>
        );
      })}
    </div>
  );
}
