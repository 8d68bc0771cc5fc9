import type { StoredEvent } from './log-store.js';

/** GetLogEvents' position tokens, shaped like CloudWatch's: `f/<position>` forward, `b/<position>` backward. */
export interface PageToken {
  readonly direction: 'f' | 'b';
  /** A sequence number: forward pages start at it, backward pages end before it. */
  readonly position: number;
}

export function formatToken(t: PageToken): string {
  return `${t.direction}/${String(t.position).padStart(20, '0')}`;
}

export function parseToken(text: string): PageToken | undefined {
  const m = /^([fb])\/(\d{1,20})$/.exec(text);
  return m ? { direction: m[1] as 'f' | 'b', position: Number(m[2]) } : undefined;
}

export interface Page {
  readonly events: readonly StoredEvent[];
  readonly nextForwardToken: string;
  readonly nextBackwardToken: string;
}

/**
 * One GetLogEvents page over a stream's events (oldest first), CloudWatch's way: without a token,
 * the newest `limit` events, or the oldest with `startFromHead`; a forward token continues after
 * its page, a backward token before it; at either end the token asked with comes back unchanged,
 * which is how a reader knows it has caught up.
 */
export function pageOf(
  events: readonly StoredEvent[],
  options: {
    readonly token?: PageToken;
    readonly startFromHead: boolean;
    readonly limit: number;
    readonly end: number;
  },
): Page {
  const token =
    options.token ??
    (options.startFromHead ? { direction: 'f', position: 0 } : { direction: 'b', position: options.end });
  let page: readonly StoredEvent[];
  if (token.direction === 'f') {
    const from = events.findIndex((e) => e.seq >= token.position);
    page = from < 0 ? [] : events.slice(from, from + options.limit);
  } else {
    let to = events.findIndex((e) => e.seq >= token.position);
    if (to < 0) to = events.length;
    page = events.slice(Math.max(0, to - options.limit), to);
  }
  const first = page[0];
  const last = page[page.length - 1];
  return {
    events: page,
    nextForwardToken: formatToken({ direction: 'f', position: last ? last.seq + 1 : token.position }),
    nextBackwardToken: formatToken({ direction: 'b', position: first ? first.seq : token.position }),
  };
}
