/**
 * The one rule every lease duration follows.
 *
 * @module
 */

/** etcd leases last whole seconds: rejects anything else, naming the value. */
export function assertLeaseTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new RangeError(`ttlSeconds must be an integer >= 1: current value is ${ttlSeconds}`);
  }
}
