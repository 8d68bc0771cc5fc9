/** `12 s ago`, `5 min ago`, `3 h ago`. */
export function ago(t: number, now: number): string {
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function clock(t: number): string {
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function shortId(arnOrId: string): string {
  const id = arnOrId.slice(arnOrId.lastIndexOf('/') + 1);
  return id.length > 12 ? id.slice(0, 8) : id;
}

/** A CSS class for a status word. */
export function tone(status: string): string {
  if (/^(RUNNING|ACTIVE|HEALTHY|COMPLETED|PRIMARY|Successful)$/.test(status)) return 'ok';
  if (/^(STOPPED|FAILED|UNHEALTHY|INACTIVE|Failed)$/.test(status)) return 'bad';
  if (/^(DRAINING|DEACTIVATING|STOPPING|DEPROVISIONING|IN_PROGRESS|InProgress|Pending)$/.test(status))
    return 'warn';
  return 'neutral';
}
