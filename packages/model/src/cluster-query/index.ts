export type { ClusterQuery, CompareOperator, QuerySubject } from './ast.js';
export { formatClusterQuery, formatSubject } from './ast.js';
export { parseClusterQuery } from './parse.js';
export { ClusterQuerySyntaxError } from './tokenize.js';
