import { formatPath, type ValidationIssue } from '@baton-ecs/model';
import { z } from 'zod';
import type { BatonOptions } from './baton-options.js';
import { BatonApiError } from './errors.js';

// createBaton's options, checked before anything starts: a wrong shape (an endpoint string where a list
// of engines belongs, a typo in an option's name) is named here rather than failing deep inside the
// wiring as a TypeError. Objects Baton only calls into (store, logger, clock, pinner, providers) are
// checked to be objects; their own code validates the rest.

/**
 * An engine's connection fields (`tls`, `ssh`, `allowInsecure`): one schema for createBaton's
 * `engines` and the CLI's config files. File paths or PEM text; the runtime reads and checks them
 * (EngineError naming the field).
 */
export const EngineConnectionFields = {
  tls: z
    .strictObject({
      ca: z.string().min(1).optional(),
      cert: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      certPath: z.string().min(1).optional(),
    })
    .optional(),
  ssh: z
    .strictObject({
      privateKey: z.string().min(1).optional(),
      passphrase: z.string().min(1).optional(),
      knownHosts: z.string().min(1).optional(),
    })
    .optional(),
  allowInsecure: z.boolean().optional(),
};

const object = (what: string) =>
  z.custom<object>((v) => (typeof v === 'object' && v !== null) || typeof v === 'function', {
    message: `must be ${what}`,
  });
const fn = (what: string) => z.custom<object>((v) => typeof v === 'function', { message: `must be ${what}` });
// 0 turns a periodic job off where the option allows it (resyncMs: 0, the simulator).
const durationMs = z.number().finite().nonnegative();
const name = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, numbers, hyphens and underscores');

const engineSpec = z.object({
  endpoint: z.string().min(1),
  instanceId: z.string().min(1),
  attributes: z.record(z.string(), z.string()).optional(),
  reservedMemoryMiB: z.number().int().nonnegative().optional(),
  reservedPorts: z.array(z.number().int().min(0).max(65535)).optional(),
  gpus: z.number().int().nonnegative().optional(),
  ...EngineConnectionFields,
  taskNetworkPool: z
    .string()
    .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 172.30.0.0/16')
    .optional(),
});

// Typed against BatonOptions: an option added there without a rule here does not compile.
const optionRules: { readonly [K in keyof Required<BatonOptions>]: z.ZodType } = {
  store: object('a store (createMemoryStore, etcdStore)').optional(),
  dataDir: z.string().min(1).optional(),
  cluster: name.optional(),
  engines: z.array(engineSpec).optional(),
  arn: z
    .strictObject({ partition: z.string().min(1), region: z.string().min(1), account: z.string().min(1) })
    .optional(),
  seed: z.number().int().optional(),
  logger: fn('a Logger function (jsonLogger(), silentLogger)').optional(),
  instanceLostAfterMs: durationMs.optional(),
  resyncMs: durationMs.optional(),
  serviceWorkers: z.number().int().min(1).max(64).optional(),
  stoppedTaskRetentionMs: durationMs.optional(),
  agent: z
    .strictObject({
      heartbeatIntervalMs: durationMs.optional(),
      heartbeatTimeoutMs: durationMs.optional(),
      resyncIntervalMs: durationMs.optional(),
      concurrency: z.number().int().positive().optional(),
      settings: object('agent settings').optional(),
      engineFor: fn('a function from an engine spec to a ContainerEngine').optional(),
    })
    .optional(),
  registry: z
    .strictObject({
      registries: z.array(z.string().min(1)),
      credentials: object('a CredentialProvider').optional(),
      insecure: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  images: object('an ImagePinner').optional(),
  scaling: z
    .strictObject({
      scaler: object('scaler options').optional(),
      statsIntervalMs: durationMs.optional(),
    })
    .optional(),
  clock: object('a Clock').optional(),
  leaderElection: object('leader election options').optional(),
  secrets: object('secrets options').optional(),
  logs: z
    .strictObject({
      maxBytes: z.number().int().positive().optional(),
      segmentBytes: z.number().int().positive().optional(),
      pollMs: z.number().finite().positive().optional(),
    })
    .optional(),
  security: z
    .strictObject({
      allowPrivileged: z.boolean().optional(),
      allowHostNetwork: z.boolean().optional(),
      allowHostPidIpc: z.boolean().optional(),
      allowSensitiveHostMounts: z.boolean().optional(),
    })
    .optional(),
};
const batonOptionsSchema = z.strictObject(optionRules);

/** The options' problems, each named by its path (`engines[0].instanceId`); none when they are usable. */
export function batonOptionsIssues(options: unknown): ValidationIssue[] {
  if (options === undefined) return [];
  const parsed = batonOptionsSchema.safeParse(options);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
        : issue.message,
    rule: issue.code,
  }));
}

/** Throws InvalidParameterException naming every option at fault. */
export function assertBatonOptions(options: unknown): void {
  const issues = batonOptionsIssues(options);
  if (issues.length > 0) throw BatonApiError.fromIssues('createBaton options', issues);
}
