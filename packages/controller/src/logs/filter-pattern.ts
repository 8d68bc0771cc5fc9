/**
 * CloudWatch Logs' filter patterns for unstructured events: terms that must all appear
 * (`ERROR Exception`), quoted phrases (`"user not found"`), terms of which one must appear
 * (`?ERROR ?WARN`) and terms that must not (`ERROR -Retrying`). Matching is case-sensitive, as in
 * CloudWatch. JSON (`{ $.x = … }`) and space-delimited (`[ip, …]`) patterns are not supported.
 */
export interface FilterPattern {
  readonly all: readonly string[];
  readonly any: readonly string[];
  readonly none: readonly string[];
}

export class FilterPatternError extends Error {}

export function parseFilterPattern(text: string): FilterPattern {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('['))
    throw new FilterPatternError(
      'JSON and space-delimited filter patterns are not supported by Baton; use terms and quoted phrases',
    );
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  const re = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) {
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    if (m[2] === undefined && term.includes('"'))
      throw new FilterPatternError(`unbalanced quote in ${JSON.stringify(text)}`);
    if (term === '') continue;
    (m[1] === '?' ? any : m[1] === '-' ? none : all).push(term);
  }
  return { all, any, none };
}

export function matchesFilter(pattern: FilterPattern, message: string): boolean {
  return (
    pattern.all.every((t) => message.includes(t)) &&
    (pattern.any.length === 0 || pattern.any.some((t) => message.includes(t))) &&
    !pattern.none.some((t) => message.includes(t))
  );
}
