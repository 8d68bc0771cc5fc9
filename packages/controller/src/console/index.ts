export { ConsoleActionSchema, parseConsoleAction, runConsoleAction } from './actions.js';
export { type ConsoleHandler, type ConsoleOptions, createConsoleHandler } from './console-handler.js';
export { consoleSnapshot, type InstanceUsage, type SnapshotInputs } from './snapshot.js';
export type * from './wire.js';
