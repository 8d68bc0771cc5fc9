export const SCHEDULER_PACKAGE = '@baton/scheduler';
