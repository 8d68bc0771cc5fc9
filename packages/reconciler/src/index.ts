// The task agent (ECS's container agent): one instance's containers → its Tasks.
export * from './agent/index.js';
export { ReconcileInputError } from './errors.js';
// The service controller (ECS's service scheduler): a service → its Task records.
export * from './service/index.js';
