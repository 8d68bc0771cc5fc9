export * from './deployment-limits.js';
export * from './launch-throttle.js';
export * from './service-events.js';
export * from './task-health.js';
