import { type Either, left, right } from 'fp-ts/lib/Either.js';
import type { ClusterQuery, CompareOperator, QuerySubject } from './ast.js';
import { ClusterQuerySyntaxError, type Token, tokenize } from './tokenize.js';

type WordToken = Extract<Token, { kind: 'word' }>;

/**
 * Parses a cluster query language expression (ECS `memberOf`).
 *
 *   expr    := and (('||' | 'or') and)*
 *   and     := unary (('&&' | 'and') unary)*
 *   unary   := ('!' | 'not') unary | '(' expr ')' | test
 *   test    := subject op value | subject ('exists' | '!exists' | 'not_exists')
 *            | subject ('in' | '!in' | 'not_in') '[' value (',' value)* ']'
 */
export function parseClusterQuery(expression: string): Either<ClusterQuerySyntaxError, ClusterQuery> {
  try {
    return right(new Parser(expression).parseAll());
  } catch (e) {
    if (e instanceof ClusterQuerySyntaxError) return left(e);
    throw e;
  }
}

const subjects: Record<string, QuerySubject> = {
  agentConnected: { type: 'agentConnected' },
  agentVersion: { type: 'agentVersion' },
  ec2InstanceId: { type: 'ec2InstanceId' },
  registeredAt: { type: 'registeredAt' },
  runningTasksCount: { type: 'runningTasksCount' },
  'task:group': { type: 'taskGroup' },
};
const subjectList =
  'attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount, task:group';

/**
 * Every spelling in the operator table of ECS's "Cluster query language" page
 * (developer guide, cluster-query-language.html): each symbol and its word.
 */
const compareOperators: Record<string, CompareOperator> = {
  '==': 'eq',
  equals: 'eq',
  '!=': 'ne',
  not_equals: 'ne',
  '>': 'gt',
  greater_than: 'gt',
  '>=': 'ge',
  greater_than_equal: 'ge',
  '<': 'lt',
  less_than: 'lt',
  '<=': 'le',
  less_than_equal: 'le',
};
const matchOperators: Record<string, boolean> = {
  '=~': false,
  matches: false,
  '!~': true,
  not_matches: true,
};
const existsOperators: Record<string, boolean> = { exists: false, '!exists': true, not_exists: true };
const inOperators: Record<string, boolean> = { in: false, '!in': true, not_in: true };

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly expression: string) {
    this.tokens = tokenize(expression);
  }

  parseAll(): ClusterQuery {
    if (this.peek().kind === 'end') this.fail(this.peek(), 'expected an expression');
    const query = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') this.fail(next, `unexpected ${describe(next)}; expected 'and', 'or' or the end`);
    return query;
  }

  private parseOr(): ClusterQuery {
    let query = this.parseAnd();
    while (this.isKeyword('||', 'or')) {
      this.pos++;
      query = { type: 'or', left: query, right: this.parseAnd() };
    }
    return query;
  }

  private parseAnd(): ClusterQuery {
    let query = this.parseUnary();
    while (this.isKeyword('&&', 'and')) {
      this.pos++;
      query = { type: 'and', left: query, right: this.parseUnary() };
    }
    return query;
  }

  private parseUnary(): ClusterQuery {
    const token = this.peek();
    if (this.isKeyword('!', 'not')) {
      this.pos++;
      if (this.peek().kind === 'end')
        this.fail(
          this.peek(),
          `expected an expression after '${token.kind === 'end' ? '' : tokenText(token)}'`,
        );
      return { type: 'not', operand: this.parseUnary() };
    }
    if (token.kind === 'punct' && token.text === '(') {
      this.pos++;
      if (this.peek().kind === 'punct' && tokenText(this.peek()) === ')')
        this.fail(this.peek(), 'expected an expression inside parentheses');
      const inner = this.parseOr();
      const close = this.peek();
      if (!(close.kind === 'punct' && close.text === ')'))
        this.fail(close, `expected ')' to close the '(' at column ${token.column}`);
      this.pos++;
      return inner;
    }
    return this.parseTest();
  }

  private parseTest(): ClusterQuery {
    const token = this.next();
    if (token.kind !== 'word' || token.quoted)
      return this.fail(token, `expected a subject (${subjectList}), found ${describe(token)}`);
    const subject = this.toSubject(token);
    const opToken = this.next();
    const op = opToken.kind === 'op' || opToken.kind === 'word' ? opToken.text : '';
    const at = (t: Token) => `after '${t.kind === 'end' ? '' : tokenText(t)}'`;
    if (Object.hasOwn(compareOperators, op)) {
      const value = this.parseValue(`expected a value ${at(opToken)}`);
      const operator = compareOperators[op]!;
      this.checkValue(subject, value, operator);
      return { type: 'compare', subject, operator, value: value.text };
    }
    if (Object.hasOwn(matchOperators, op)) {
      const pattern = this.parseValue(`expected a pattern ${at(opToken)}`);
      try {
        new RegExp(`^(?:${pattern.text})$`);
      } catch {
        this.fail(pattern, `'${pattern.text}' is not a valid pattern`);
      }
      return { type: 'match', subject, negated: matchOperators[op]!, pattern: pattern.text };
    }
    if (Object.hasOwn(existsOperators, op)) return { type: 'exists', subject, negated: existsOperators[op]! };
    if (Object.hasOwn(inOperators, op)) {
      const open = this.peek();
      if (open.kind === 'end' || (open.kind === 'punct' && open.text !== '['))
        this.fail(open, `expected a value ${at(opToken)}`);
      if (!(open.kind === 'punct' && open.text === '['))
        this.fail(open, `expected '[' to start the list ${at(opToken)}`);
      this.pos++;
      const values: string[] = [];
      for (;;) {
        const value = this.parseValue(`expected a value in the list ${at(this.tokens[this.pos - 1]!)}`);
        this.checkValue(subject, value, 'eq');
        values.push(value.text);
        const sep = this.next();
        if (sep.kind === 'punct' && sep.text === ']') break;
        if (!(sep.kind === 'punct' && sep.text === ','))
          this.fail(sep, `expected ',' or ']' in the list, found ${describe(sep)}`);
      }
      return { type: 'in', subject, negated: inOperators[op]!, values };
    }
    return this.fail(
      opToken,
      `expected an operator after '${tokenText(token)}' (==, !=, >, >=, <, <=, =~, !~, exists, !exists, in, !in, or their words: equals, not_equals, greater_than, …), found ${describe(opToken)}`,
    );
  }

  private toSubject(token: WordToken): QuerySubject {
    if (token.text.startsWith('attribute:')) {
      const name = token.text.slice('attribute:'.length);
      if (!/^[A-Za-z0-9_.\-/]{1,128}$/.test(name))
        this.fail(token, `'${name}' is not a valid attribute name`);
      return { type: 'attribute', name };
    }
    const subject = subjects[token.text];
    if (!subject) return this.fail(token, `unknown subject '${token.text}'; expected one of ${subjectList}`);
    return subject;
  }

  /** Values of typed subjects are checked here, so a bad one fails at parse time. */
  private checkValue(subject: QuerySubject, value: Token, operator: CompareOperator): void {
    const text = tokenText(value);
    const ordered = operator !== 'eq' && operator !== 'ne';
    if (subject.type === 'runningTasksCount' && !/^\d+$/.test(text)) {
      this.fail(value, `runningTasksCount compares with a whole number, not '${text}'`);
    }
    if (subject.type === 'agentConnected' && !/^(true|false)$/.test(text)) {
      this.fail(value, `agentConnected compares with true or false, not '${text}'`);
    }
    if (subject.type === 'registeredAt' && Number.isNaN(Date.parse(text))) {
      this.fail(value, `registeredAt compares with a date such as 2024-01-31, not '${text}'`);
    }
    if (ordered && (subject.type === 'agentConnected' || subject.type === 'taskGroup')) {
      this.fail(
        value,
        `${subject.type === 'taskGroup' ? 'task:group' : 'agentConnected'} cannot be ordered; use == or !=`,
      );
    }
  }

  private parseValue(message: string): WordToken {
    const token = this.peek();
    if (token.kind !== 'word') return this.fail(token, message);
    this.pos++;
    return token;
  }

  private isKeyword(symbol: string, word: string): boolean {
    const t = this.peek();
    return (t.kind === 'op' && t.text === symbol) || (t.kind === 'word' && !t.quoted && t.text === word);
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private fail(token: Token, reason: string): never {
    throw new ClusterQuerySyntaxError(token.column, reason, this.expression);
  }
}

function tokenText(token: Token): string {
  return token.kind === 'end' ? '' : token.text;
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `'${token.text}'`;
}
