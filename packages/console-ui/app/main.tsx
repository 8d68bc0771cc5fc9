import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import './styles.css';
import {
  act,
  type ConsoleAction,
  type ConsoleSnapshot,
  type EventView,
  getSession,
  login,
  logout,
  type MetricPoint,
  type MetricsHistory,
  type SessionView,
  stream,
  type TaskView,
} from './api.js';
import { Instances } from './bars.js';
import { type Confirmation, ConfirmDialog, LoginDialog } from './dialogs.js';
import { Events } from './events.js';
import { shortId } from './format.js';
import { LogsPanel } from './logs.js';
import { Services } from './services.js';
import { Tasks } from './tasks.js';

const MAX_POINTS = 360;
const MAX_EVENTS = 200;

function App() {
  const [snapshot, setSnapshot] = useState<ConsoleSnapshot | null>(null);
  const [metrics, setMetrics] = useState<Record<string, readonly MetricPoint[]>>({});
  const [feed, setFeed] = useState<EventView[]>([]);
  const [session, setSession] = useState<SessionView | null>(null);
  const [connection, setConnection] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const [cluster, setCluster] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const [loggingIn, setLoggingIn] = useState(false);
  const [logsOf, setLogsOf] = useState<TaskView | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    void getSession().then(setSession);
  }, []);

  const canRead = session !== null && (!session.readNeedsLogin || session.authenticated);
  useEffect(() => {
    if (!canRead) return;
    const es = stream();
    es.onopen = () => setConnection('live');
    es.onerror = () => setConnection('offline');
    es.addEventListener('snapshot', (m) =>
      setSnapshot(JSON.parse((m as MessageEvent<string>).data) as ConsoleSnapshot),
    );
    es.addEventListener('metrics-history', (m) =>
      setMetrics(JSON.parse((m as MessageEvent<string>).data) as MetricsHistory),
    );
    es.addEventListener('metrics', (m) => {
      const tick = JSON.parse((m as MessageEvent<string>).data) as Record<string, MetricPoint>;
      setMetrics((old) => {
        const next: Record<string, readonly MetricPoint[]> = { ...old };
        for (const [k, p] of Object.entries(tick)) next[k] = [...(old[k] ?? []), p].slice(-MAX_POINTS);
        return next;
      });
    });
    es.addEventListener('service-event', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as EventView;
      setFeed((old) => (old.some((x) => x.id === e.id) ? old : [e, ...old].slice(0, MAX_EVENTS)));
    });
    return () => es.close();
  }, [canRead]);

  const clusters = snapshot?.clusters ?? [];
  const current =
    clusters.find((c) => c.name === cluster) ?? clusters.find((c) => c.services.length > 0) ?? clusters[0];
  // The feed: events that arrived live, plus the recent ones every service already had.
  const events = useMemo(() => {
    const byId = new Map<string, EventView>();
    for (const e of feed) byId.set(e.id, e);
    for (const s of current?.services ?? []) for (const e of s.events) byId.set(e.id, e);
    return [...byId.values()]
      .filter((e) => e.cluster === current?.name)
      .sort((a, b) => b.at - a.at)
      .slice(0, 50);
  }, [feed, current]);

  const run = (action: ConsoleAction) => async () => {
    const r = await act(action, session?.csrfToken ?? null);
    setNotice({ ok: r.ok, text: r.message });
  };
  const ask = (c: Omit<Confirmation, 'run'>, action: (n: number | undefined) => ConsoleAction) =>
    setConfirm({ ...c, run: (n) => run(action(n))() });

  if (session && !canRead)
    return (
      <div class="shell">
        <Header
          session={session}
          connection="offline"
          onLogin={() => setLoggingIn(true)}
          onLogout={() => {}}
        />
        <main class="center">
          <p>This console needs a login: use an access key pair of the API.</p>
        </main>
        {loggingIn && (
          <LoginDialog
            onLogin={async (id, s) => setSession(await login(id, s))}
            onClose={() => setLoggingIn(false)}
          />
        )}
      </div>
    );

  const now = snapshot?.at ?? Date.now();
  return (
    <div class="shell">
      <Header
        session={session}
        connection={connection}
        onLogin={() => setLoggingIn(true)}
        onLogout={async () => setSession(await logout(session?.csrfToken ?? null))}
      >
        {clusters.length > 1 && (
          <select
            aria-label="Cluster"
            value={current?.name}
            onChange={(e) => setCluster((e.target as HTMLSelectElement).value)}
          >
            {clusters.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        )}
        {clusters.length === 1 && <span class="cluster-name">{current?.name}</span>}
      </Header>
      {notice && (
        <div class={`notice ${notice.ok ? 'ok' : 'bad'}`} role="status" data-notice>
          {notice.text}
          <button type="button" class="link" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}
      {!snapshot && <main class="center">Connecting…</main>}
      {current && (
        <main class="grid">
          <section class="area-services">
            <h2>Services</h2>
            <Services
              services={current.services}
              metrics={metrics}
              now={now}
              onScale={(s) =>
                ask(
                  {
                    title: `Scale ${s.name}`,
                    text: `Set the desired count of ${s.name} (now ${s.desired}).`,
                    confirmLabel: 'Set desired count',
                    number: { label: 'Desired count', value: s.desired, min: 0, max: 5000 },
                  },
                  (n) => ({
                    kind: 'update-desired-count',
                    cluster: s.cluster,
                    service: s.name,
                    desiredCount: n ?? s.desired,
                  }),
                )
              }
              onForceDeployment={(s) =>
                ask(
                  {
                    title: `Force a new deployment of ${s.name}`,
                    text: `Start a new deployment of ${s.name} with the same task definition (${s.taskDefinition})? Every task is replaced by the rolling update rules.`,
                    confirmLabel: 'Force new deployment',
                  },
                  () => ({ kind: 'force-new-deployment', cluster: s.cluster, service: s.name }),
                )
              }
            />
          </section>
          <aside class="area-side">
            <section class="area-instances">
              <h2>Container instances</h2>
              <Instances
                instances={current.instances}
                onDrain={(i) =>
                  ask(
                    {
                      title: `Drain ${i.id}`,
                      text: `Drain ${i.id}? It takes no new tasks and its service tasks move elsewhere.`,
                      confirmLabel: 'Drain',
                    },
                    () => ({ kind: 'drain-instance', cluster: current.name, instance: i.arn }),
                  )
                }
              />
            </section>
            <section class="area-events">
              <h2>Events</h2>
              <Events events={events} />
            </section>
          </aside>
          <section class="area-tasks">
            <h2>Tasks</h2>
            <Tasks
              tasks={current.tasks}
              now={now}
              onLogs={setLogsOf}
              onStop={(t) =>
                ask(
                  {
                    title: `Stop task ${shortId(t.id)}`,
                    text: `Stop task ${t.id}${t.group ? ` (${t.group})` : ''}?`,
                    confirmLabel: 'Stop task',
                  },
                  () => ({ kind: 'stop-task', cluster: current.name, task: t.arn }),
                )
              }
            />
            {logsOf && <LogsPanel task={logsOf} onClose={() => setLogsOf(null)} />}
          </section>
        </main>
      )}
      {confirm && <ConfirmDialog c={confirm} onClose={() => setConfirm(null)} />}
      {loggingIn && (
        <LoginDialog
          onLogin={async (id, s) => setSession(await login(id, s))}
          onClose={() => setLoggingIn(false)}
        />
      )}
    </div>
  );
}

function Header(props: {
  session: SessionView | null;
  connection: string;
  onLogin: () => void;
  onLogout: () => void;
  children?: preact.ComponentChildren;
}) {
  const s = props.session;
  return (
    <header class="top">
      <h1>
        Baton <span class="muted">console</span>
      </h1>
      {props.children}
      <span class={`dot ${props.connection}`} title={props.connection} data-connection={props.connection}>
        {props.connection}
      </span>
      <span class="spacer" />
      {s?.authenticated ? (
        <>
          <span class="who" data-operator>
            {s.accessKeyId}
          </span>
          <button type="button" onClick={props.onLogout}>
            Log out
          </button>
        </>
      ) : (
        <>
          <span class="muted read-only">read-only</span>
          {s?.loginAvailable && (
            <button type="button" class="primary" onClick={props.onLogin}>
              Log in
            </button>
          )}
        </>
      )}
    </header>
  );
}

render(<App />, document.getElementById('app')!);
