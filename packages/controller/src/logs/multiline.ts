/** One line read from a container, with the collector's cursor after it. */
export interface SourceLine {
  readonly time: number;
  readonly message: string;
  readonly cursor: string;
}

/** A log event ready to store: the first line's time, the lines joined, the cursor after the last. */
export interface AssembledEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly cursor: string;
}

/** CloudWatch's largest event: 256 KiB less its 26-byte overhead (Docker's awslogs splits there too). */
export const maxEventBytes = 262_144 - 26;

/**
 * Groups lines into events the way Docker's awslogs driver does: with an event-start pattern
 * (`awslogs-multiline-pattern`, or `awslogs-datetime-format` as a regex), a matching line starts a
 * new event and the lines that follow join it; without one, each line is an event. Pure: the caller
 * flushes a pending event when its source goes quiet or ends.
 */
export class MultilineAssembler {
  private pending: { timestamp: number; lines: string[]; bytes: number; cursor: string } | undefined;

  constructor(private readonly eventStart: RegExp | undefined) {}

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  push(line: SourceLine): AssembledEvent[] {
    const message = truncate(line.message);
    if (!this.eventStart) return [{ timestamp: line.time, message, cursor: line.cursor }];
    const out: AssembledEvent[] = [];
    const size = Buffer.byteLength(message) + 1;
    const starts = this.eventStart.test(message);
    if (this.pending && (starts || this.pending.bytes + size > maxEventBytes)) out.push(this.take()!);
    if (!this.pending) this.pending = { timestamp: line.time, lines: [], bytes: 0, cursor: line.cursor };
    this.pending.lines.push(message);
    this.pending.bytes += size;
    this.pending.cursor = line.cursor;
    return out;
  }

  /** The pending event, if any (the source went quiet or ended). */
  flush(): AssembledEvent | undefined {
    return this.take();
  }

  private take(): AssembledEvent | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p ? { timestamp: p.timestamp, message: p.lines.join('\n'), cursor: p.cursor } : undefined;
  }
}

function truncate(message: string): string {
  if (Buffer.byteLength(message) <= maxEventBytes) return message;
  return Buffer.from(message).subarray(0, maxEventBytes).toString('utf8');
}
