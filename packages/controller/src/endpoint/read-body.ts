import type { IncomingMessage } from 'node:http';
import { WireError } from './wire-error.js';

/**
 * The request body as text, at most `maxBytes` (413 past it, without reading the rest) and
 * within `timeoutMs` (408). A framework that already read the body (Express's raw parser,
 * Fastify's) leaves it on `req.body` / `req.rawBody`; that is used as it is.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<string> {
  const pre = (req as { rawBody?: unknown; body?: unknown }).rawBody ?? (req as { body?: unknown }).body;
  if (typeof pre === 'string' || Buffer.isBuffer(pre)) {
    const text = Buffer.isBuffer(pre) ? pre.toString('utf8') : pre;
    if (Buffer.byteLength(text) > maxBytes) return Promise.reject(tooLarge(maxBytes));
    return Promise.resolve(text);
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: WireError) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        // Stop reading; the connection closes after the answer.
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) done(tooLarge(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () =>
      done(new WireError('RequestTimeoutException', 408, 'The request body could not be read.'));
    const timer = setTimeout(
      () =>
        done(
          new WireError(
            'RequestTimeoutException',
            408,
            `The request body did not arrive within ${timeoutMs} ms.`,
          ),
        ),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(maxBytes: number): WireError {
  return new WireError('RequestEntityTooLargeException', 413, `Request body larger than ${maxBytes} bytes.`);
}
