import { describe, expect, it } from 'vitest';
import { demuxLogs, EngineError, engineMessage, engineStatus } from '../src/index.js';

describe('EngineError', () => {
  it("wraps dockerode's error: the engine's status and message, the original as cause", () => {
    const dockerode = Object.assign(new Error('(HTTP code 404) no such container - No such container: x'), {
      statusCode: 404,
      json: { message: 'No such container: x' },
    });
    const err = EngineError.from(dockerode, 'inspect', 'unix:///e.sock');
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({
      name: 'EngineError',
      statusCode: 404,
      operation: 'inspect',
      endpoint: 'unix:///e.sock',
      message: 'No such container: x',
      isVerdict: true,
    });
    expect(err.cause).toBe(dockerode);
    expect(engineStatus(err)).toBe(404);
    expect(engineMessage(err)).toBe('No such container: x');
    expect(EngineError.from(err, 'other')).toBe(err);
  });

  it('an engine that could not be reached has no status: not a verdict', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED /e.sock'), { code: 'ECONNREFUSED' });
    const err = EngineError.from(refused, 'ping');
    expect(err.statusCode).toBeUndefined();
    expect(err.isVerdict).toBe(false);
    expect(engineStatus(err)).toBeUndefined();
  });
});

describe('demuxLogs', () => {
  const frame = (stream: 1 | 2, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it("splits Docker's multiplexed frames into timed lines of each stream", () => {
    const raw = Buffer.concat([
      frame(1, '2026-01-02T03:04:05.123456789Z hello\n'),
      frame(2, '2026-01-02T03:04:06.000000000Z oops\n2026-01-02T03:04:07Z again\n'),
    ]);
    expect(demuxLogs(raw)).toEqual([
      { stream: 'stdout', time: Date.parse('2026-01-02T03:04:05.123Z'), message: 'hello' },
      { stream: 'stderr', time: Date.parse('2026-01-02T03:04:06Z'), message: 'oops' },
      { stream: 'stderr', time: Date.parse('2026-01-02T03:04:07Z'), message: 'again' },
    ]);
  });

  it('a TTY stream (no frames) is all stdout', () => {
    expect(demuxLogs(Buffer.from('2026-01-02T03:04:05Z a b\n'))).toEqual([
      { stream: 'stdout', time: Date.parse('2026-01-02T03:04:05Z'), message: 'a b' },
    ]);
  });
});
