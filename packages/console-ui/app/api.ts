// The console's server, as the page sees it (packages/controller/src/console/console-handler.ts).
import type { ActionResult, ConsoleAction, SessionView } from '../../controller/src/console/wire.js';

export type * from '../../controller/src/console/wire.js';

/** Paths are relative to the page (…/console/), so the console works under any mount path. */
const api = (path: string) => `api/${path}`;

export async function getSession(): Promise<SessionView> {
  const r = await fetch(api('session'), { credentials: 'same-origin' });
  return (await r.json()) as SessionView;
}

export async function login(accessKeyId: string, secretAccessKey: string): Promise<SessionView> {
  const r = await fetch(api('login'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId, secretAccessKey }),
  });
  const body = (await r.json()) as SessionView & { message?: string };
  if (!r.ok) throw new Error(body.message ?? `login failed (${r.status})`);
  return body;
}

export async function logout(csrfToken: string | null): Promise<SessionView> {
  const r = await fetch(api('logout'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': csrfToken ?? '' },
  });
  return (await r.json()) as SessionView;
}

export async function act(action: ConsoleAction, csrfToken: string | null): Promise<ActionResult> {
  const r = await fetch(api('action'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken ?? '' },
    body: JSON.stringify(action),
  });
  return (await r.json()) as ActionResult;
}

export function stream(): EventSource {
  return new EventSource(api('stream'), { withCredentials: true });
}

export function logStream(taskArn: string): EventSource {
  return new EventSource(api(`logs?task=${encodeURIComponent(taskArn)}`), { withCredentials: true });
}
