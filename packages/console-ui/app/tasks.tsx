import type { TaskView } from './api.js';
import { ago, shortId, tone } from './format.js';

export function Tasks(props: {
  tasks: readonly TaskView[];
  now: number;
  onStop: (t: TaskView) => void;
  onLogs: (t: TaskView) => void;
}) {
  if (props.tasks.length === 0) return <p class="empty">No tasks.</p>;
  return (
    <div class="table-wrap">
      <table class="tasks">
        <thead>
          <tr>
            <th>Task</th>
            <th>Group</th>
            <th>Status</th>
            <th>Health</th>
            <th>Instance</th>
            <th>Ports</th>
            <th>Stopped reason</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((t) => (
            <tr key={t.arn} data-task={t.id} class={t.lastStatus === 'STOPPED' ? 'stopped' : ''}>
              <td data-label="Task">
                <code title={t.arn}>{shortId(t.id)}</code>
                <div class="muted">{t.taskDefinition}</div>
              </td>
              <td data-label="Group">{t.group ?? '—'}</td>
              <td data-label="Status">
                <span class={`pill ${tone(t.lastStatus)}`}>{t.lastStatus}</span>
                {t.desiredStatus !== t.lastStatus && <span class="muted"> → {t.desiredStatus}</span>}
                {t.startedAt && t.lastStatus === 'RUNNING' && (
                  <div class="muted">{ago(t.startedAt, props.now)}</div>
                )}
              </td>
              <td data-label="Health">
                <span class={`pill ${tone(t.health)}`}>{t.health}</span>
              </td>
              <td data-label="Instance">{t.instanceId ?? '—'}</td>
              <td data-label="Ports">
                {t.ports.length > 0 ? t.ports.map((p) => <div key={p}>{p}</div>) : '—'}
              </td>
              <td data-label="Stopped reason" class="reason" data-stopped-reason>
                {t.stoppedReason ? (
                  <>
                    {t.stopCode && <span class="muted code">{t.stopCode}</span>}
                    {t.stoppedReason}
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td class="row-actions">
                <button type="button" class="link" onClick={() => props.onLogs(t)}>
                  Logs
                </button>
                {t.desiredStatus !== 'STOPPED' && (
                  <button type="button" class="link danger" onClick={() => props.onStop(t)}>
                    Stop
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
