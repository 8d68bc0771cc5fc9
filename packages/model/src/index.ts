export const MODEL_PACKAGE = '@baton/model';
