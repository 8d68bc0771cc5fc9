import { useEffect, useRef, useState } from 'preact/hooks';
import { type LogLineView, logStream, type TaskView } from './api.js';
import { clock, shortId } from './format.js';

const MAX_LINES = 1000;

/** A task's log, tailed live over server-sent events while the panel is open. */
export function LogsPanel(props: { task: TaskView; onClose: () => void }) {
  const [lines, setLines] = useState<LogLineView[]>([]);
  const [state, setState] = useState('connecting');
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setLines([]);
    const es = logStream(props.task.arn);
    es.onopen = () => setState('live');
    es.onerror = () => setState('reconnecting');
    es.addEventListener('line', (m) => {
      const line = JSON.parse((m as MessageEvent<string>).data) as LogLineView;
      setLines((ls) => [...ls, line].slice(-MAX_LINES));
    });
    return () => es.close();
  }, [props.task.arn]);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [lines]);
  return (
    <section class="logs-panel" aria-label="Task logs">
      <header>
        <strong>Logs of task {shortId(props.task.id)}</strong>
        <span class="muted">{state}</span>
        <button type="button" class="link" onClick={props.onClose}>
          Close
        </button>
      </header>
      <pre class="log-lines" data-log-lines>
        {lines.length === 0 && <span class="muted">(no lines yet)</span>}
        {lines.map((l, i) => (
          <div key={i} class={l.stream === 'stderr' ? 'stderr' : ''}>
            <span class="muted">
              {clock(l.t)} {l.container}
            </span>{' '}
            {l.line}
          </div>
        ))}
        <div ref={end} />
      </pre>
    </section>
  );
}
