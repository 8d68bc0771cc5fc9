import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@baton-ecs/loop';
import type { Baton } from '../baton.js';
import { aasOperations } from './aas-operations.js';
import { ecsOperations, type Operation } from './ecs-operations.js';
import { elbv2Operations } from './elbv2-operations.js';
import { internalError, invalidParameter, toWireError, type WireService } from './error-table.js';
import { decodeJsonInput, encodeJsonOutput } from './json-codec.js';
import { logsOperations } from './logs-operations.js';
import {
  decodeQueryInput,
  encodeQueryError,
  encodeQueryOutput,
  type QueryParams,
  queryParams,
} from './query-codec.js';
import { readBody } from './read-body.js';
import {
  autoScalingModel,
  ecsModel,
  elbv2Model,
  logsModel,
  missingRequired,
  type ServiceModel,
} from './service-model.js';
import { type AccessKey, type SignatureErrorStyle, type SignedRequest, verifySignature } from './sigv4.js';
import { WireError } from './wire-error.js';

export type { AccessKey } from './sigv4.js';

export interface ApiHandlerOptions {
  /** The access keys requests may be signed with (several users). */
  readonly credentials?: readonly AccessKey[];
  /**
   * With no credentials: accept any access key, checking the signature's form and time window but
   * not its secret. Only for an endpoint on the loopback interface (`baton serve` without
   * credentials); never set it on a reachable one.
   */
  readonly acceptAnyKey?: boolean;
  /** Largest request body accepted (413 past it). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Time allowed for the request body to arrive (408 past it). Default 10 s. */
  readonly bodyTimeoutMs?: number;
  /** One record per request (operation, status, duration, access key id — never a secret). Default: Baton's logger. */
  readonly logger?: Logger;
  /** The clock signatures are checked against. Default Date.now. */
  readonly now?: () => number;
}

/** A Node request handler: `http.createServer(handler)`, Express `app.use(handler)`, Fastify (see docs/api.md). */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface JsonService {
  readonly name: WireService;
  readonly model: ServiceModel;
  readonly operations: Readonly<Record<string, Operation>>;
}

type QueryService = JsonService;

/** What the log record and the error answer need to know about a request as it is served. */
interface Call {
  service: WireService;
  operation: string;
  readonly requestId: string;
  accessKeyId?: string;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const XML_CONTENT_TYPE = 'text/xml';

/**
 * Baton's AWS-compatible endpoint as a Node handler: AWS's wire protocols over the Baton
 * object's public methods, every request signed with SigV4 by one of `credentials`.
 */
export function createApiHandler(baton: Baton, options: ApiHandlerOptions): ApiHandler {
  const keys = new Map((options.credentials ?? []).map((k) => [k.accessKeyId, k]));
  if (keys.size === 0 && !options.acceptAnyKey)
    throw new Error('createApiHandler: pass credentials (access keys requests are signed with)');
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const logger = options.logger ?? baton.logger;
  const now = options.now ?? Date.now;
  const json: Record<string, JsonService> = {};
  for (const svc of [
    { name: 'ecs', model: ecsModel, operations: ecsOperations(baton) },
    { name: 'logs', model: logsModel, operations: logsOperations(baton) },
    { name: 'application-autoscaling', model: autoScalingModel, operations: aasOperations(baton) },
  ] satisfies JsonService[])
    json[svc.model.metadata.targetPrefix!] = svc;

  const authenticate = async (
    req: IncomingMessage,
    url: URL,
    body: string,
    service: string | undefined,
    style: SignatureErrorStyle,
  ): Promise<string> => {
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      const list = query[k] ?? [];
      list.push(v);
      query[k] = list;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const signed: SignedRequest = { method: req.method ?? 'POST', path: url.pathname, query, headers, body };
    const key = await verifySignature(signed, {
      keys: keys.size === 0 && options.acceptAnyKey ? 'any' : keys,
      service: service ?? credentialService(signed) ?? '',
      now: now(),
      style,
    });
    return key.accessKeyId;
  };

  const query: Record<string, QueryService> = {
    [elbv2Model.metadata.apiVersion]: {
      name: 'elbv2',
      model: elbv2Model,
      operations: elbv2Operations(baton),
    },
  };

  /** An awsJson request (`X-Amz-Target: <prefix>.<Operation>`): the answer's body. */
  const serveJson = async (req: IncomingMessage, url: URL, body: string, target: string, call: Call) => {
    const dot = target.lastIndexOf('.');
    const prefix = dot < 0 ? target : target.slice(0, dot);
    call.operation = dot < 0 ? '' : target.slice(dot + 1);
    const svc = json[prefix];
    if (svc) call.service = svc.name;
    call.accessKeyId = await authenticate(req, url, body, svc?.model.metadata.signingName, 'json');
    const op = svc?.operations[call.operation];
    if (!svc || !op)
      throw new WireError('UnknownOperationException', 400, `Operation ${target} is not supported.`);
    const opModel = svc.model.operations[call.operation]!;
    const input = decodeJsonInput(svc.model, opModel.input, body) as Record<string, unknown>;
    const missing = opModel.input ? missingRequired(svc.model, opModel.input, input) : undefined;
    if (missing) throw invalidParameter(call.service, `${missing} is required.`);
    return JSON.stringify(encodeJsonOutput(svc.model, opModel.output, await op(input)));
  };

  /** An awsQuery request (`Action=<Operation>&Version=<apiVersion>&…`, form-encoded): the XML answer. */
  const serveQuery = async (
    req: IncomingMessage,
    url: URL,
    body: string,
    params: QueryParams,
    call: Call,
  ) => {
    const version = params.get('Version');
    const svc = (version !== undefined ? query[version] : undefined) ?? Object.values(query)[0]!;
    call.service = svc.name;
    call.operation = params.get('Action') ?? '';
    call.accessKeyId = await authenticate(req, url, body, svc.model.metadata.signingName, 'query');
    const op = svc.operations[call.operation];
    if (!op || version !== svc.model.metadata.apiVersion)
      throw new WireError(
        'InvalidAction',
        400,
        op
          ? `Version ${version ?? '(none)'} is not valid for action ${call.operation}; use ${svc.model.metadata.apiVersion}.`
          : `The action ${call.operation || '(none)'} is not valid for this web service.`,
      );
    const opModel = svc.model.operations[call.operation]!;
    const input = decodeQueryInput(svc.model, opModel.input, params, (m) => invalidParameter(svc.name, m));
    const missing = opModel.input ? missingRequired(svc.model, opModel.input, input) : undefined;
    if (missing) throw invalidParameter(svc.name, `${missing} is required.`);
    return await encodeQueryOutput(svc.model, call.operation, await op(input), call.requestId);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const call: Call = { service: 'ecs', operation: 'unknown', requestId: randomUUID() };
    let status = 200;
    let protocol: 'json' | 'query' = 'json';
    try {
      const url = new URL(req.url ?? '/', 'http://endpoint');
      const target = header(req, 'x-amz-target');
      if (target === undefined && isQueryRequest(req, url)) {
        protocol = 'query';
        call.service = 'elbv2';
      }
      const body = await readBody(req, maxBodyBytes, bodyTimeoutMs);
      if (protocol === 'query') {
        const xml = await serveQuery(req, url, body, queryParams(url, body), call);
        send(res, 200, { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': call.requestId }, xml);
        return;
      }
      if (target === undefined)
        throw new WireError(
          'UnknownOperationException',
          400,
          'The request names no operation (no X-Amz-Target header).',
        );
      const out = await serveJson(req, url, body, target, call);
      send(res, 200, { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': call.requestId }, out);
    } catch (error) {
      let wire = toWireError(call.service, error);
      if (!wire) {
        logger({
          level: 'error',
          msg: 'api: unexpected error',
          service: call.service,
          operation: call.operation,
          requestId: call.requestId,
          error: String(error),
        });
        wire = internalError(call.service);
      }
      status = wire.status;
      const close: Record<string, string> =
        wire.status === 413 || wire.status === 408 ? { connection: 'close' } : {};
      if (protocol === 'query') {
        const model = query[elbv2Model.metadata.apiVersion]!.model;
        send(
          res,
          wire.status,
          { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': call.requestId, ...close },
          await encodeQueryError(model, wire, call.requestId),
        );
      } else
        send(
          res,
          wire.status,
          {
            'content-type': JSON_CONTENT_TYPE,
            'x-amzn-requestid': call.requestId,
            'x-amzn-errortype': wire.code,
            ...close,
          },
          JSON.stringify({ __type: wire.code, message: wire.message }),
        );
    } finally {
      logger({
        level: 'info',
        msg: 'api request',
        service: call.service,
        operation: call.operation,
        status,
        requestId: call.requestId,
        ...(call.accessKeyId ? { accessKeyId: call.accessKeyId } : {}),
        ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  };
  return (req, res) => {
    void handle(req, res);
  };
}

/** The query protocol: a form-encoded POST, or a GET whose query string names an Action. */
function isQueryRequest(req: IncomingMessage, url: URL): boolean {
  const type = header(req, 'content-type') ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || url.searchParams.has('Action');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function credentialOf(r: SignedRequest): string | undefined {
  const fromHeader = /Credential=([^,\s]+)/.exec(r.headers.authorization ?? '')?.[1];
  const q = r.query['X-Amz-Credential'];
  return fromHeader ?? (typeof q === 'string' ? q : q?.[0]);
}

function credentialService(r: SignedRequest): string | undefined {
  return credentialOf(r)?.split('/')[3];
}
