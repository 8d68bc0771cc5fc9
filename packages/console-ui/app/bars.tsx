import type { InstanceView, ResourceFigures } from './api.js';
import { tone } from './format.js';

function Bar(props: { label: string; unit: string; figures: ResourceFigures }) {
  const { registered, reserved, used } = props.figures;
  const pct = (n: number) => (registered > 0 ? Math.min(100, (n * 100) / registered) : 0);
  return (
    <div class="bar-row">
      <span class="bar-label">{props.label}</span>
      <div class="bar" title={`${props.label}: ${reserved} of ${registered} ${props.unit} reserved`}>
        <div class="bar-reserved" style={{ width: `${pct(reserved)}%` }} />
        {used !== null && <div class="bar-used" style={{ width: `${pct(used)}%` }} />}
      </div>
      <span class="bar-figures">
        {used !== null ? `${used} used · ` : ''}
        {reserved}/{registered} {props.unit}
      </span>
    </div>
  );
}

export function Instances(props: { instances: readonly InstanceView[]; onDrain: (i: InstanceView) => void }) {
  if (props.instances.length === 0) return <p class="empty">No container instances.</p>;
  return (
    <div class="instances">
      {props.instances.map((i) => (
        <article class="card instance" key={i.arn} data-instance={i.id}>
          <header>
            <strong>{i.id}</strong>
            <span class={`pill ${tone(i.status)}`}>{i.status}</span>
            {!i.agentConnected && <span class="pill bad">agent disconnected</span>}
            {i.zone && <span class="muted">{i.zone}</span>}
          </header>
          <Bar label="CPU" unit="units" figures={i.cpu} />
          <Bar label="Memory" unit="MiB" figures={i.memory} />
          <footer>
            <span class="muted">
              {i.runningTasks} running · {i.pendingTasks} pending
            </span>
            {i.status === 'ACTIVE' && (
              <button type="button" class="link danger" onClick={() => props.onDrain(i)}>
                Drain
              </button>
            )}
          </footer>
        </article>
      ))}
    </div>
  );
}
