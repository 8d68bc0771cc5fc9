/**
 * An input the pure reconcilers cannot use, such as a task definition that was parsed but never
 * registered. Thrown at the entry of the pass, before anything is planned; `field` names the input.
 */
export class ReconcileInputError extends Error {
  override readonly name = 'ReconcileInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
