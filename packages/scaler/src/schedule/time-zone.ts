/**
 * Wall-clock time in an IANA time zone, through Intl (no tz database of our
 * own, no I/O). A "wall time" is the local date and time encoded as if it
 * were UTC epoch milliseconds, so calendar arithmetic stays plain numbers.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the zone (`UTC`, `Europe/Berlin`, `Etc/GMT+9`, …). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time in `timeZone` at `instant` (epoch ms), to the second. */
export function wallTimeAt(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return instant - mod(instant, 1000);
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  return Date.UTC(bc ? 1 - year : year, month - 1, day, hour, minute, second);
}

/** The zone's offset from UTC at `instant`, in ms (positive east of Greenwich). */
export function offsetAt(instant: number, timeZone: string): number {
  const whole = instant - mod(instant, 1000);
  return wallTimeAt(whole, timeZone) - whole;
}

/**
 * The instants at which the zone's clocks show `wall`: none in a
 * spring-forward gap, two in a fall-back overlap (earliest first), else one.
 */
export function instantsOfWallTime(wall: number, timeZone: string): number[] {
  if (timeZone === 'UTC') return [wall];
  // Transitions are far more than a day apart, so the offsets a day either
  // side are the only ones that can apply.
  const day = 86_400_000;
  const offsets = new Set([offsetAt(wall - day, timeZone), offsetAt(wall + day, timeZone)]);
  const out: number[] = [];
  for (const o of offsets) {
    const t = wall - o;
    if (wallTimeAt(t, timeZone) === wall - mod(wall, 1000)) out.push(t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The instant of a wall time, resolved the way java.time resolves it: the
 * earlier instant in an overlap; in a gap, the wall time shifted forward by
 * the gap's length (02:30 on a spring-forward night becomes 03:30).
 */
export function resolveWallTime(wall: number, timeZone: string): number {
  const instants = instantsOfWallTime(wall, timeZone);
  if (instants[0] !== undefined) return instants[0];
  return wall - offsetAt(wall - 86_400_000, timeZone);
}

export function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
