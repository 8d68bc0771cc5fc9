import { RegistryError } from './errors.js';
import { header, readBody, safeUrl } from './http.js';
import { formatRepository, type RepositoryName } from './reference.js';
import type { Session } from './session.js';
import { CATALOG_SCOPE, repositoryScope } from './token.js';

export interface ListOptions {
  /** Page size (`n`); default: the registry's. */
  readonly pageSize?: number;
  /** Start after this item (`last`). */
  readonly last?: string;
  /** Stop after this many items in total (default 1,000,000). */
  readonly limit?: number;
  /** Fail with PAGINATION_LOOP beyond this many pages (default 10,000). */
  readonly maxPages?: number;
}

const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** `<url>; rel="next"` from a Link header (several links, comma-separated, are allowed). */
export function parseNextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (!m) continue;
    if (/;\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

/**
 * Walks a paginated list (`n`, `last`, `Link: <…>; rel="next"`) with a loop guard: a next link
 * already followed, a page that adds nothing new while promising more, or too many pages all fail
 * with PAGINATION_LOOP instead of spinning forever.
 */
async function paginate(
  s: Session,
  registry: string,
  path: string,
  key: 'tags' | 'repositories',
  scope: string,
  what: string,
  options: ListOptions,
  repository?: string,
): Promise<string[]> {
  const limit = options.limit ?? 1_000_000;
  const maxPages = options.maxPages ?? 10_000;
  const items: string[] = [];
  const seenItems = new Set<string>();
  const seenLinks = new Set<string>();
  let target: string | URL = path;
  let query: Record<string, string | undefined> = {
    n: options.pageSize === undefined ? undefined : String(options.pageSize),
    last: options.last,
  };
  for (let page = 0; ; page++) {
    if (page >= maxPages)
      throw new RegistryError('PAGINATION_LOOP', `${what}: more than ${maxPages} pages, giving up`, {
        registry,
      });
    const res = await s.send({
      registry,
      method: 'GET',
      target,
      query,
      scopes: [scope],
      what,
      ...(repository === undefined ? {} : { repository }),
      ok: [200],
      notFound: key === 'tags' ? 'NAME_UNKNOWN' : 'UNSUPPORTED',
    });
    const body = await readBody(res, MAX_PAGE_BYTES, what);
    let list: unknown;
    try {
      list = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[key];
    } catch {
      throw new RegistryError('INVALID_RESPONSE', `${what}: page is not JSON`, { registry });
    }
    if (
      list !== null &&
      list !== undefined &&
      !(Array.isArray(list) && list.every((x) => typeof x === 'string'))
    )
      throw new RegistryError('INVALID_RESPONSE', `${what}: "${key}" is not a list of strings`, { registry });
    let added = 0;
    for (const item of (list ?? []) as string[]) {
      if (seenItems.has(item)) continue;
      seenItems.add(item);
      items.push(item);
      added++;
      if (items.length >= limit) return items;
    }
    const next = parseNextLink(header(res.headers, 'link'));
    if (next === undefined) return items;
    const url = new URL(next, res.url);
    const key2 = `${url.pathname}?${url.searchParams.toString()}`;
    if (seenLinks.has(key2) || added === 0)
      throw new RegistryError(
        'PAGINATION_LOOP',
        `${what}: the registry's next page (${safeUrl(url)}) repeats itself after ${items.length} items`,
        { registry },
      );
    seenLinks.add(key2);
    target = url;
    query = {};
  }
}

/** Every tag of a repository, in the registry's order, following pagination. */
export const listTags = (s: Session, repo: RepositoryName, options: ListOptions = {}): Promise<string[]> =>
  paginate(
    s,
    repo.registry,
    `/v2/${repo.repository}/tags/list`,
    'tags',
    repositoryScope(repo.repository, ['pull']),
    `list tags of ${formatRepository(repo)}`,
    options,
    repo.repository,
  );

/** Every repository of a registry (`/v2/_catalog`), following pagination. */
export const listRepositories = (
  s: Session,
  registry: string,
  options: ListOptions = {},
): Promise<string[]> =>
  paginate(s, registry, '/v2/_catalog', 'repositories', CATALOG_SCOPE, `catalog of ${registry}`, options);
