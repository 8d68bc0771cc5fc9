/** One `WWW-Authenticate` challenge: a scheme (lowercase) and its parameters (keys lowercase). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * Parses a `WWW-Authenticate` header value (RFC 7235): several challenges per value, each with
 * `name=token` or `name="quoted \"string\""` parameters, e.g.
 * `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull", Basic realm="x"`.
 * Tolerant: junk is skipped rather than failing the request.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap((h) => parseChallenges(h));
  const s = header;
  let i = 0;
  const out: Challenge[] = [];
  const skipSpaces = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TOKEN_CHAR.test(s[i] as string)) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let v = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
      i++;
    }
    i++; // closing quote
    return v;
  };
  while (i < s.length) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ',')) i++;
    if (i >= s.length) break;
    const scheme = readToken();
    if (scheme === '') {
      i++;
      continue;
    }
    const params: Record<string, string> = {};
    out.push({ scheme: scheme.toLowerCase(), params });
    for (;;) {
      skipSpaces();
      const start = i;
      const name = readToken();
      skipSpaces();
      if (name === '' || s[i] !== '=') {
        // Not a parameter: the next challenge's scheme (a token68 is read as one and ignored).
        i = start;
        break;
      }
      i++; // '='
      skipSpaces();
      const value = s[i] === '"' ? readQuoted() : readToken();
      params[name.toLowerCase()] = value;
      skipSpaces();
      if (s[i] !== ',') break;
      i++;
      // After a comma: another parameter (`name=`) or the next challenge (`Scheme …`).
      skipSpaces();
      const peek = i;
      readToken();
      skipSpaces();
      const isParam = s[i] === '=';
      i = peek;
      if (!isParam) break;
    }
  }
  return out;
}

/** The challenge the client can answer: Bearer preferred over Basic, others ignored. */
export function chooseChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}
