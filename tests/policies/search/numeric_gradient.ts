/**
 * Gradients by central differences, to check analytic ones against.
 *
 * @module
 */

/** The partial derivatives of `f` at `x`, each from a central difference of width 2 * `step`. */
export function numericGradient(
  f: (x: readonly number[]) => number,
  x: readonly number[],
  step = 1e-6,
): number[] {
  return x.map((_, k) => {
    const up = [...x];
    const down = [...x];
    up[k] += step;
    down[k] -= step;
    return (f(up) - f(down)) / (2 * step);
  });
}
