export const STORE_PACKAGE = '@baton/store';
