/**
 * Buckets in time order, checked: the collection policies' common first step.
 *
 * @module
 */

/** The buckets oldest first (by id); duplicate ids are rejected. */
export function inTimeOrder<B extends { id: number }>(buckets: readonly B[]): B[] {
  const ordered = [...buckets].sort((a, b) => a.id - b.id);
  ordered.forEach((bucket, i) => {
    if (!Number.isSafeInteger(bucket.id)) {
      throw new RangeError(`bucket id must be an integer: current value is ${bucket.id}`);
    }
    if (i > 0 && ordered[i - 1].id === bucket.id) {
      throw new RangeError(`bucket ids must be distinct: ${bucket.id} appears more than once`);
    }
  });
  return ordered;
}
