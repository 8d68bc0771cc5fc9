/**
 * `work`'s answer, unless `signal` aborts first: then it rejects with the signal's reason at once,
 * and `work`'s late answer (or failure) is dropped. It also rejects when `signal` aborted while
 * `work` was answering, so a reconcile that awaits each call through it does nothing more after
 * its loop stops, and the loop's `stop()` does not wait for a call that never answers.
 */
export async function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  const value = await new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      work.catch(() => {}); // its failure, if it fails, matters to no one now
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
  signal.throwIfAborted();
  return value;
}
