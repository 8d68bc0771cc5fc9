/** Tokens of the cluster query language, each with its 1-based column. */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly column: number; readonly quoted: boolean }
  | { readonly kind: 'punct'; readonly text: '(' | ')' | '[' | ']' | ','; readonly column: number }
  | { readonly kind: 'op'; readonly text: string; readonly column: number }
  | { readonly kind: 'end'; readonly column: number };

export class ClusterQuerySyntaxError extends Error {
  override readonly name = 'ClusterQuerySyntaxError';
  readonly code = 'ClusterQuerySyntaxError';
  constructor(
    /** 1-based column of the offending character in the expression. */
    readonly column: number,
    /** What was expected or wrong, without the position prefix. */
    readonly reason: string,
    readonly expression: string,
  ) {
    super(`memberOf expression, column ${column}: ${reason}`);
  }
}

const symbolOperators = ['==', '!=', '>=', '<=', '=~', '!~', '&&', '||', '>', '<', '!'] as const;
const punctuation = new Set(['(', ')', '[', ']', ',']);

function isWordChar(c: string): boolean {
  return !/\s/.test(c) && !punctuation.has(c) && c !== '"' && c !== "'" && !'=<>&|!'.includes(c);
}

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    const column = i + 1;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (punctuation.has(c)) {
      tokens.push({ kind: 'punct', text: c as '(' | ')' | '[' | ']' | ',', column });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = expression.indexOf(c, i + 1);
      if (close < 0) throw new ClusterQuerySyntaxError(column, `unterminated quoted value`, expression);
      tokens.push({ kind: 'word', text: expression.slice(i + 1, close), column, quoted: true });
      i = close + 1;
      continue;
    }
    // `!exists`, `!in` and `!~` are operators written with a bang; a lone `!` is negation.
    if (c === '!') {
      const rest = /^!(exists|in)\b/.exec(expression.slice(i));
      if (rest) {
        tokens.push({ kind: 'op', text: rest[0], column });
        i += rest[0].length;
        continue;
      }
    }
    const op = symbolOperators.find((s) => expression.startsWith(s, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, column });
      i += op.length;
      continue;
    }
    if (!isWordChar(c)) throw new ClusterQuerySyntaxError(column, `unexpected character '${c}'`, expression);
    let j = i;
    while (j < expression.length && isWordChar(expression[j]!)) j++;
    tokens.push({ kind: 'word', text: expression.slice(i, j), column, quoted: false });
    i = j;
  }
  tokens.push({ kind: 'end', column: expression.length + 1 });
  return tokens;
}
