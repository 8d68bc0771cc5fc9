import type { Client } from './client.js';

/**
 * ELBv2 calls with typed JSON in and out. ELB speaks only AWS's query protocol: the request is
 * flattened (`DefaultActions.member.1.TargetGroupArn`, `Matcher.HttpCode`) and the XML answer
 * typed back (`member` lists, numbers, booleans) by walking AWS's own ELBv2 model, the one the
 * endpoint decodes with, so both ends agree on every name and type.
 */
export async function elbCall(
  client: Client,
  operation: string,
  input: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const { elbv2Model, shapeOf } = await import('../endpoint/service-model.js');
  const op = elbv2Model.operations[operation];
  if (!op) throw new Error(`ELBv2 has no operation ${operation} in Baton's model`);
  type Shape = ReturnType<typeof shapeOf>;
  const shape = (name: string): Shape => shapeOf(elbv2Model, name);

  const params: Record<string, string> = {};
  const flatten = (shapeName: string, value: unknown, prefix: string): void => {
    if (value === undefined || value === null) return;
    const s = shape(shapeName);
    if (s.type === 'structure') {
      if (typeof value !== 'object') return;
      for (const [member, ref] of Object.entries(s.members ?? {})) {
        const key = `${prefix ? `${prefix}.` : ''}${ref.locationName ?? member}`;
        flatten(ref.shape, (value as Record<string, unknown>)[member], key);
      }
    } else if (s.type === 'list') {
      if (!Array.isArray(value)) return;
      if (value.length === 0) params[prefix] = '';
      value.forEach((v, i) => {
        flatten(s.member!.shape, v, `${prefix}.${s.member?.locationName ?? 'member'}.${i + 1}`);
      });
    } else if (s.type === 'map') {
      Object.entries(value as Record<string, unknown>).forEach(([k, v], i) => {
        params[`${prefix}.entry.${i + 1}.key`] = k;
        flatten(s.value!.shape, v, `${prefix}.entry.${i + 1}.value`);
      });
    } else params[prefix] = String(value);
  };
  if (op.input) flatten(op.input, input, '');

  const typed = (shapeName: string, x: unknown): unknown => {
    const s = shape(shapeName);
    switch (s.type) {
      case 'structure': {
        if (typeof x !== 'object' || x === null) return undefined;
        const out: Record<string, unknown> = {};
        for (const [member, ref] of Object.entries(s.members ?? {})) {
          const v = typed(ref.shape, (x as Record<string, unknown>)[ref.locationName ?? member]);
          if (v !== undefined) out[member] = v;
        }
        return out;
      }
      case 'list': {
        if (x === undefined) return undefined;
        const items = typeof x === 'object' && x !== null ? (x as Record<string, unknown>).member : undefined;
        const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
        return list.map((v) => typed(s.member!.shape, v));
      }
      case 'integer':
      case 'long':
      case 'double':
      case 'float':
        return x === undefined || x === '' ? undefined : Number(x);
      case 'boolean':
        return x === undefined ? undefined : x === 'true' || x === true;
      default:
        return x === undefined ? undefined : String(x);
    }
  };
  const raw = await client.query(operation, params);
  return op.output ? ((typed(op.output, raw) ?? {}) as Record<string, unknown>) : {};
}

/** Every page of an ELBv2 Describe call (ELB's Marker/NextMarker). */
export async function elbDescribeAll(
  client: Client,
  operation: string,
  input: Readonly<Record<string, unknown>>,
  key: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let marker: string | undefined;
  do {
    const r = await elbCall(client, operation, { ...input, ...(marker ? { Marker: marker } : {}) });
    out.push(...((r[key] as Record<string, unknown>[] | undefined) ?? []));
    marker = typeof r.NextMarker === 'string' && r.NextMarker !== '' ? r.NextMarker : undefined;
  } while (marker);
  return out;
}
