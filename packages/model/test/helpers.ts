import { readFileSync } from 'node:fs';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Parsed, ParseResult, ValidationError } from '../src/index.js';

export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8'));
}

/** The parsed value, or a test failure that prints every issue. */
export function ok<T>(result: ParseResult<T>): Parsed<T> {
  if (isLeft(result)) throw new Error(`expected a valid input, got:\n${result.left.message}`);
  return result.right;
}

/** The validation error, or a test failure. */
export function bad<T>(result: ParseResult<T>): ValidationError {
  if (!isLeft(result)) throw new Error(`expected a validation error, got a value`);
  return result.left;
}

/** `path: message` lines, for compact assertions. */
export function lines(error: ValidationError): string[] {
  return error.issues.map((i) => `${i.path}: ${i.message}`);
}
