import { isLeft } from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { RegistryClient } from './client.js';
import type { RegistryError } from './errors.js';

/** T's TaskEither-returning methods as Promise-returning ones. */
export type Promisified<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => TE.TaskEither<RegistryError, infer R>
    ? (...args: A) => Promise<R>
    : never;
};
type Operations = Omit<RegistryClient, 'session' | 'promises' | 'close'>;

const unwrap = async <T>(te: TE.TaskEither<RegistryError, T>): Promise<T> => {
  const r = await te();
  if (isLeft(r)) throw r.left;
  return r.right;
};

/** The client's operations as Promises that reject with a RegistryError (for code that does not use fp-ts). */
export class PromiseRegistryClient implements Promisified<Operations> {
  constructor(private readonly c: RegistryClient) {}
  ping = (...a: Parameters<RegistryClient['ping']>) => unwrap(this.c.ping(...a));
  resolve = (...a: Parameters<RegistryClient['resolve']>) => unwrap(this.c.resolve(...a));
  exists = (...a: Parameters<RegistryClient['exists']>) => unwrap(this.c.exists(...a));
  getManifest = (...a: Parameters<RegistryClient['getManifest']>) => unwrap(this.c.getManifest(...a));
  getImage = (...a: Parameters<RegistryClient['getImage']>) => unwrap(this.c.getImage(...a));
  listTags = (...a: Parameters<RegistryClient['listTags']>) => unwrap(this.c.listTags(...a));
  listRepositories = (...a: Parameters<RegistryClient['listRepositories']>) =>
    unwrap(this.c.listRepositories(...a));
  headBlob = (...a: Parameters<RegistryClient['headBlob']>) => unwrap(this.c.headBlob(...a));
  getBlob = (...a: Parameters<RegistryClient['getBlob']>) => unwrap(this.c.getBlob(...a));
  fetchBlob = (...a: Parameters<RegistryClient['fetchBlob']>) => unwrap(this.c.fetchBlob(...a));
  pushBlob = (...a: Parameters<RegistryClient['pushBlob']>) => unwrap(this.c.pushBlob(...a));
  mountBlob = (...a: Parameters<RegistryClient['mountBlob']>) => unwrap(this.c.mountBlob(...a));
  putManifest = (...a: Parameters<RegistryClient['putManifest']>) => unwrap(this.c.putManifest(...a));
  pushImage = (...a: Parameters<RegistryClient['pushImage']>) => unwrap(this.c.pushImage(...a));
  pushIndex = (...a: Parameters<RegistryClient['pushIndex']>) => unwrap(this.c.pushIndex(...a));
  deleteManifest = (...a: Parameters<RegistryClient['deleteManifest']>) =>
    unwrap(this.c.deleteManifest(...a));
  deleteBlob = (...a: Parameters<RegistryClient['deleteBlob']>) => unwrap(this.c.deleteBlob(...a));
  credentialsFor = (...a: Parameters<RegistryClient['credentialsFor']>) =>
    unwrap(this.c.credentialsFor(...a));
  preparePull = (...a: Parameters<RegistryClient['preparePull']>) => unwrap(this.c.preparePull(...a));
  imageInventory = (...a: Parameters<RegistryClient['imageInventory']>) =>
    unwrap(this.c.imageInventory(...a));
  planLifecycle = (...a: Parameters<RegistryClient['planLifecycle']>) => unwrap(this.c.planLifecycle(...a));
  applyLifecycle = (...a: Parameters<RegistryClient['applyLifecycle']>) =>
    unwrap(this.c.applyLifecycle(...a));
}
