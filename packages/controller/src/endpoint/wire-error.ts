/**
 * An error the endpoint answers with, in AWS's terms: the exception name (`__type` in JSON
 * protocols, `<Code>` in the query protocol), the HTTP status, and whether the caller is at fault.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly sender = status < 500,
  ) {
    super(message);
  }
}

/** A body AWS's parser could not read (not JSON, wrong types): SerializationException, 400. */
export function serializationError(message: string): WireError {
  return new WireError('SerializationException', 400, message);
}
