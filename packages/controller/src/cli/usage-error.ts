/** A bad flag, environment variable or config entry: the message names it; `baton` exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
