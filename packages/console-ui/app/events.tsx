import type { EventView } from './api.js';
import { clock } from './format.js';

export function Events(props: { events: readonly EventView[] }) {
  if (props.events.length === 0) return <p class="empty">No events yet.</p>;
  return (
    <ol class="events" aria-live="polite">
      {props.events.map((e) => (
        <li key={e.id}>
          <time class="muted">{clock(e.at)}</time> <b>{e.service}</b> <span>{e.message}</span>
        </li>
      ))}
    </ol>
  );
}
