/**
 * Up-front checks of policy parameters (collection and retrain policies); each error names the
 * policy, the parameter and its value.
 *
 * @module
 */

/** Requires an integer >= `min`. */
export function requireInteger(policy: string, name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `${policy} policy: ${name} must be an integer >= ${min}: current value is ${value}`,
    );
  }
}

/** Requires a number in the interval `lo`..`hi`, each end open or closed as `bounds` says. */
export function requireNumberIn(
  policy: string,
  name: string,
  value: number,
  [lo, hi]: readonly [number, number],
  bounds: "[]" | "(]" | "[)" | "()" = "[]",
): void {
  const aboveLo = bounds[0] === "[" ? value >= lo : value > lo;
  const belowHi = bounds[1] === "]" ? value <= hi : value < hi;
  if (!(aboveLo && belowHi)) {
    throw new RangeError(
      `${policy} policy: ${name} must be a number in ${bounds[0]}${lo}, ${hi}${bounds[1]}: ` +
        `current value is ${value}`,
    );
  }
}
