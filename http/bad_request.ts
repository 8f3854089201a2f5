/**
 * A request the serving API refuses (400): the message names the field and its value.
 *
 * @module
 */

/** A bad request; `field` is the JSON path of what is wrong (`events[3].timestamp`). */
export class BadRequestError extends Error {
  override readonly name = "BadRequestError";

  /** `expected` completes "<field> must be ...". */
  constructor(readonly field: string, expected: string, value: unknown) {
    super(`${field} must be ${expected}: current value is ${describe(value)}`);
  }
}

/** A value as an error message quotes it, cut short. */
function describe(value: unknown): string {
  const written = value === undefined ? "absent" : JSON.stringify(value) ?? String(value);
  return written.length > 80 ? `${written.slice(0, 77)}...` : written;
}
