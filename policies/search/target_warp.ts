/**
 * A monotone warp of the losses the Gaussian process models: log(1 + (loss - lowest) / spread),
 * with spread the median loss's distance above the lowest. Losses spanning orders of magnitude
 * (a Rosenbrock valley beside a wall of 10^3) otherwise make the normalised targets one outlier and
 * a flat rest, and the model sees no slope where the optimum lies; the log keeps the ordering (so
 * the best point stays the best) and the detail near the lowest losses, where the search refines.
 * The `tail` shape compresses only the losses above the median: the log's bend in the better half
 * makes a second basin a little worse than the best look much worse than it is, and so
 * unpromising, which keeps the search in the first basin it found (Hartmann-6's local minimum).
 *
 * @module
 */

/**
 * The warp's shape over x = (loss - lowest) / spread: `log` is log(1 + x) throughout; `tail` is x
 * up to the median (x <= 1) and 1 + log(x) above it, so only the worse half is compressed.
 */
export type WarpShape = "log" | "tail";

/** Warped losses and the warp's slope at the lowest loss (objective units per warped unit). */
export interface WarpedLosses {
  values: number[];
  /** Spread the losses were divided by: an objective-unit margin over it is in warped units. */
  spread: number;
  /** The shape applied, or false (not when the median equals the lowest). */
  warped: WarpShape | false;
}

/** The losses warped; unchanged (spread 1) when the median equals the lowest, as for constants. */
export function warpLosses(losses: readonly number[], shape: WarpShape = "log"): WarpedLosses {
  if (losses.length === 0) throw new RangeError("losses must not be empty: current value is []");
  losses.forEach((loss, i) => {
    if (!Number.isFinite(loss)) {
      throw new RangeError(`losses[${i}] must be finite: current value is ${loss}`);
    }
  });
  const lowest = Math.min(...losses);
  const sorted = [...losses].sort((a, b) => a - b);
  const spread = sorted[Math.floor(sorted.length / 2)] - lowest;
  if (!(spread > 0)) return { values: [...losses], spread: 1, warped: false };
  const warp = shape === "log"
    ? (x: number) => Math.log1p(x)
    : (x: number) => (x <= 1 ? x : 1 + Math.log(x));
  return { values: losses.map((loss) => warp((loss - lowest) / spread)), spread, warped: shape };
}

/**
 * Sum of the log slopes of the warp at losses whose warped values are `values`: what turns a
 * model's log density of warped values into one of the losses themselves, so that models of
 * warped and of plain losses can be compared.
 */
export function warpLogJacobian({ values, spread, warped }: WarpedLosses): number {
  if (warped === false) return 0;
  // log: slope e^-v / spread; tail: 1 / spread up to v = 1, e^-(v - 1) / spread above.
  const excess = (value: number) => (warped === "log" ? value : Math.max(0, value - 1));
  return -values.reduce((sum, value) => sum + excess(value) + Math.log(spread), 0);
}
