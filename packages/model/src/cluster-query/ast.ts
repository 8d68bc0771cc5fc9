/**
 * Syntax tree of ECS's cluster query language, the language of `memberOf`
 * placement constraints (`attribute:ecs.instance-type =~ t3.*`). The model
 * owns the syntax so a task definition or service is rejected at parse time;
 * the scheduler owns evaluation.
 */

/** What a comparison looks at on a container instance (or its tasks). */
export type QuerySubject =
  | { readonly type: 'attribute'; readonly name: string }
  | { readonly type: 'agentConnected' }
  | { readonly type: 'agentVersion' }
  | { readonly type: 'ec2InstanceId' }
  | { readonly type: 'registeredAt' }
  | { readonly type: 'runningTasksCount' }
  | { readonly type: 'taskGroup' };

export type CompareOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type ClusterQuery =
  | { readonly type: 'or'; readonly left: ClusterQuery; readonly right: ClusterQuery }
  | { readonly type: 'and'; readonly left: ClusterQuery; readonly right: ClusterQuery }
  | { readonly type: 'not'; readonly operand: ClusterQuery }
  | {
      readonly type: 'compare';
      readonly subject: QuerySubject;
      readonly operator: CompareOperator;
      readonly value: string;
    }
  | {
      readonly type: 'match';
      readonly subject: QuerySubject;
      readonly negated: boolean;
      /** The pattern as written; matched against the whole value. */
      readonly pattern: string;
    }
  | { readonly type: 'exists'; readonly subject: QuerySubject; readonly negated: boolean }
  | {
      readonly type: 'in';
      readonly subject: QuerySubject;
      readonly negated: boolean;
      readonly values: readonly string[];
    };

/** Renders a subject the way it is written in an expression. */
export function formatSubject(subject: QuerySubject): string {
  switch (subject.type) {
    case 'attribute':
      return `attribute:${subject.name}`;
    case 'taskGroup':
      return 'task:group';
    default:
      return subject.type;
  }
}

const compareSymbols: Record<CompareOperator, string> = {
  eq: '==',
  ne: '!=',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};

/** Renders a query back to canonical text (fully parenthesised where it matters). */
export function formatClusterQuery(query: ClusterQuery): string {
  switch (query.type) {
    case 'or':
      return `${formatClusterQuery(query.left)} or ${formatClusterQuery(query.right)}`;
    case 'and':
      return `${wrap(query.left, 'or')} and ${wrap(query.right, 'or')}`;
    case 'not':
      return `not ${wrap(query.operand, 'or', 'and')}`;
    case 'compare':
      return `${formatSubject(query.subject)} ${compareSymbols[query.operator]} ${formatValue(query.value)}`;
    case 'match':
      return `${formatSubject(query.subject)} ${query.negated ? '!~' : '=~'} ${formatValue(query.pattern)}`;
    case 'exists':
      return `${formatSubject(query.subject)} ${query.negated ? '!exists' : 'exists'}`;
    case 'in':
      return `${formatSubject(query.subject)} ${query.negated ? 'not_in' : 'in'} [${query.values.map(formatValue).join(', ')}]`;
  }
}

function wrap(query: ClusterQuery, ...lower: ClusterQuery['type'][]): string {
  const text = formatClusterQuery(query);
  return lower.includes(query.type) ? `(${text})` : text;
}

function formatValue(value: string): string {
  const bare = /^[^\s()[\],"'=<>&|!]+$/.test(value) && !/^(and|or|not)$/.test(value);
  return bare ? value : JSON.stringify(value);
}
