import type { XMLBuilder } from 'fast-xml-parser';
import { type ServiceModel, shapeOf } from './service-model.js';
import type { WireError } from './wire-error.js';

/** A query-protocol request's parameters (`Action=…&Version=…&Names.member.1=…`), in order. */
export type QueryParams = ReadonlyMap<string, string>;

/** The form-encoded body and the URL's query string, merged (the body wins); signature parameters left out. */
export function queryParams(url: URL, body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) if (!k.startsWith('X-Amz-')) out.set(k, v);
  for (const [k, v] of new URLSearchParams(body)) out.set(k, v);
  return out;
}

/**
 * awsQuery requests: the input shape's members from `Name`, `List.member.N`, `Map.entry.N.key` and
 * `Struct.Member` parameters, as AWS's query serializers write them; numbers and booleans parsed as
 * the model types them (a value that is not one is the service's validation error naming it),
 * timestamps to epoch milliseconds. Parameters the model does not define are ignored.
 */
export function decodeQueryInput(
  model: ServiceModel,
  shapeName: string | undefined,
  params: QueryParams,
  invalid: (message: string) => WireError,
): Record<string, unknown> {
  if (!shapeName) return {};
  const keys = [...params.keys()];
  const has = (prefix: string) => params.has(prefix) || keys.some((k) => k.startsWith(`${prefix}.`));
  const decode = (name: string, prefix: string): unknown => {
    const shape = shapeOf(model, name);
    const text = params.get(prefix);
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [member, ref] of Object.entries(shape.members ?? {})) {
          const key = prefix ? `${prefix}.${ref.locationName ?? member}` : (ref.locationName ?? member);
          if (!has(key)) continue;
          const v = decode(ref.shape, key);
          if (v !== undefined) out[member] = v;
        }
        return out;
      }
      case 'list': {
        if (text === '') return [];
        const base = shape.flattened ? prefix : `${prefix}.${shape.member?.locationName ?? 'member'}`;
        return indexed(base).map((i) => decode(shape.member!.shape, `${base}.${i}`));
      }
      case 'map': {
        const base = shape.flattened ? prefix : `${prefix}.entry`;
        const out: Record<string, unknown> = {};
        for (const i of indexed(base)) {
          const k = params.get(`${base}.${i}.key`);
          if (k !== undefined) out[k] = decode(shape.value!.shape, `${base}.${i}.value`);
        }
        return out;
      }
      case 'integer':
      case 'long':
        if (text === undefined) return undefined;
        if (!/^-?\d+$/.test(text)) throw invalid(`${prefix}: '${text}' is not an integer.`);
        return Number(text);
      case 'double':
      case 'float':
        if (text === undefined) return undefined;
        if (text.trim() === '' || Number.isNaN(Number(text)))
          throw invalid(`${prefix}: '${text}' is not a number.`);
        return Number(text);
      case 'boolean':
        if (text === undefined) return undefined;
        if (text !== 'true' && text !== 'false') throw invalid(`${prefix}: '${text}' is not true or false.`);
        return text === 'true';
      case 'timestamp':
        if (text === undefined) return undefined;
        if (Number.isNaN(Date.parse(text))) throw invalid(`${prefix}: '${text}' is not a timestamp.`);
        return Date.parse(text);
      default:
        return text;
    }
  };
  /** The 1-based indexes present under `base.` (`base.1…`, `base.2.Key`…), in order. */
  const indexed = (base: string): number[] => {
    const found = new Set<number>();
    for (const k of keys)
      if (k.startsWith(`${base}.`)) {
        const n = Number(k.slice(base.length + 1).split('.')[0]);
        if (Number.isInteger(n) && n > 0) found.add(n);
      }
    return [...found].sort((a, b) => a - b);
  };
  return decode(shapeName, '') as Record<string, unknown>;
}

/** The XML builder, loaded with the first query-protocol answer: most embedders never speak ELBv2. */
let builder: Promise<XMLBuilder> | undefined;
function xmlBuilder(): Promise<XMLBuilder> {
  builder ??= import('fast-xml-parser').then(
    ({ XMLBuilder }) =>
      new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false }),
  );
  return builder;
}

/**
 * awsQuery responses: `<OpResponse xmlns><OpResult>…members…</OpResult><ResponseMetadata>`, the
 * output shape's members only, lists as `<member>` elements, timestamps ISO 8601.
 */
export function encodeQueryOutput(
  model: ServiceModel,
  operation: string,
  value: unknown,
  requestId: string,
): Promise<string> {
  const op = model.operations[operation]!;
  const result = op.output ? (encode(model, op.output, value) ?? '') : undefined;
  return xml({
    [`${operation}Response`]: {
      '@_xmlns': model.metadata.xmlNamespace,
      ...(op.resultWrapper ? { [op.resultWrapper]: result } : {}),
      ResponseMetadata: { RequestId: requestId },
    },
  });
}

/** The query protocol's error document. */
export function encodeQueryError(model: ServiceModel, error: WireError, requestId: string): Promise<string> {
  return xml({
    ErrorResponse: {
      '@_xmlns': model.metadata.xmlNamespace,
      Error: { Type: error.sender ? 'Sender' : 'Receiver', Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  });
}

async function xml(doc: object): Promise<string> {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${(await xmlBuilder()).build(doc) as string}`;
}

type Xml = string | Xml[] | { [k: string]: Xml };

function encode(model: ServiceModel, shapeName: string, value: unknown): Xml | undefined {
  if (value === undefined || value === null) return undefined;
  const shape = shapeOf(model, shapeName);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, Xml> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const v = encode(model, ref.shape, (value as Record<string, unknown>)[name]);
        if (v !== undefined) out[ref.locationName ?? name] = v;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const items = value.map((v) => encode(model, shape.member!.shape, v) ?? '');
      return items.length === 0 ? '' : { [shape.member?.locationName ?? 'member']: items };
    }
    case 'map': {
      if (typeof value !== 'object') return undefined;
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => ({
        key: k,
        value: encode(model, shape.value!.shape, v) ?? '',
      }));
      return entries.length === 0 ? '' : { entry: entries };
    }
    case 'timestamp': {
      const ms =
        typeof value === 'number'
          ? value
          : value instanceof Date
            ? value.getTime()
            : Date.parse(String(value));
      return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
    }
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}
