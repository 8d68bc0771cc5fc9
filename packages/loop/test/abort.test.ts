import { describe, expect, it } from 'vitest';
import { every, ManualClock, untilAborted } from '../src/index.js';

describe('untilAborted', () => {
  it('answers as the work answers while the signal holds', async () => {
    const c = new AbortController();
    await expect(untilAborted(c.signal, Promise.resolve(7))).resolves.toBe(7);
    await expect(untilAborted(c.signal, Promise.reject(new Error('no')))).rejects.toThrow('no');
  });

  it('rejects with the reason as soon as the signal aborts, without waiting for the work', async () => {
    const c = new AbortController();
    const never = new Promise<number>(() => {});
    const waiting = untilAborted(c.signal, never);
    c.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });

  it('rejects when the signal aborted while the work was answering', async () => {
    const c = new AbortController();
    let answer!: (v: number) => void;
    const work = new Promise<number>((r) => {
      answer = r;
    });
    const waiting = untilAborted(c.signal, work);
    answer(1);
    await Promise.resolve(); // the answer is in, but the caller's continuation has not run yet…
    c.abort(new Error('stopping')); // …when the loop stops
    await expect(waiting).rejects.toThrow('stopping');
  });

  it('rejects at once on an aborted signal, and a late failure of the work is not unhandled', async () => {
    const c = new AbortController();
    c.abort(new Error('gone'));
    await expect(untilAborted(c.signal, Promise.reject(new Error('late')))).rejects.toThrow('gone');
  });
});

describe('every', () => {
  it('ticks every ms on the clock until cancelled', () => {
    const clock = new ManualClock();
    const ticks: number[] = [];
    const cancel = every(clock, 100, () => ticks.push(clock.now()));
    clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    cancel();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
  });
});
