import { type ServiceModel, shapeOf } from './service-model.js';
import { serializationError } from './wire-error.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * awsJson1_0/1_1 requests: the body is a JSON object of the input shape. Members the model does
 * not define are dropped (Baton's methods see only what AWS's API defines); a value of the wrong
 * JSON type is a SerializationException naming the member; timestamps (epoch seconds) become
 * Baton's epoch milliseconds.
 */
export function decodeJsonInput(model: ServiceModel, shapeName: string | undefined, body: string): object {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch (error) {
    throw serializationError(`Malformed JSON in the request body: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw serializationError('The request body must be a JSON object.');
  if (!shapeName) return {};
  return decode(model, shapeName, parsed, '') as object;
}

function decode(model: ServiceModel, shapeName: string, value: unknown, path: string): unknown {
  if (value === null) return undefined;
  const shape = shapeOf(model, shapeName);
  const wrong = (expected: string) =>
    serializationError(`${path || 'body'}: expected ${expected}, got ${JSON.stringify(value)?.slice(0, 40)}`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong('an object');
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const v = (value as Record<string, unknown>)[name];
        if (v === undefined) continue;
        const decoded = decode(model, ref.shape, v, path ? `${path}.${name}` : name);
        if (decoded !== undefined) out[name] = decoded;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw wrong('a list');
      return value.map((v, i) => decode(model, shape.member!.shape, v, `${path}[${i}]`));
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong('a map');
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          decode(model, shape.value!.shape, v, `${path}.${k}`),
        ]),
      );
    }
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('a boolean');
      return value;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong('an integer');
      return value;
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw wrong('a number');
      return value;
    case 'timestamp':
      if (typeof value === 'number') return Math.round(value * 1000);
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
      throw wrong('a timestamp');
    default:
      return value;
  }
}

/**
 * awsJson responses: the output shape's members only (Baton's own bookkeeping fields stay
 * home), timestamps as epoch seconds, empty members left out as AWS does.
 */
export function encodeJsonOutput(model: ServiceModel, shapeName: string | undefined, value: unknown): Json {
  if (!shapeName) return {};
  return encode(model, shapeName, value) ?? {};
}

function encode(model: ServiceModel, shapeName: string, value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  const shape = shapeOf(model, shapeName);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, Json> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const v = encode(model, ref.shape, (value as Record<string, unknown>)[name]);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) return undefined;
      return value.map((v) => encode(model, shape.member!.shape, v) ?? null);
    case 'map': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const e = encode(model, shape.value!.shape, v);
        if (e !== undefined) out[k] = e;
      }
      return out;
    }
    case 'timestamp':
      if (typeof value === 'number') return value / 1000;
      if (value instanceof Date) return value.getTime() / 1000;
      if (typeof value === 'string') return Date.parse(value) / 1000;
      return undefined;
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return typeof value === 'number' ? value : Number(value);
    case 'boolean':
      return Boolean(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}
