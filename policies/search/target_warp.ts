/**
 * A monotone warp of the losses the Gaussian process models: log(1 + (loss - lowest) / spread),
 * with spread the median loss's distance above the lowest. Losses spanning orders of magnitude
 * (a Rosenbrock valley beside a wall of 10^3) otherwise make the normalised targets one outlier and
 * a flat rest, and the model sees no slope where the optimum lies; the log keeps the ordering (so
 * the best point stays the best) and the detail near the lowest losses, where the search refines.
 *
 * @module
 */

/** Warped losses and the warp's slope at the lowest loss (objective units per warped unit). */
export interface WarpedLosses {
  values: number[];
  /** Spread the losses were divided by: an objective-unit margin over it is in warped units. */
  spread: number;
  /** Whether the log was applied (not when the median equals the lowest). */
  warped: boolean;
}

/** The losses warped; unchanged (spread 1) when the median equals the lowest, as for constants. */
export function warpLosses(losses: readonly number[]): WarpedLosses {
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
  return {
    values: losses.map((loss) => Math.log1p((loss - lowest) / spread)),
    spread,
    warped: true,
  };
}

/**
 * Sum of the log slopes of the warp at losses whose warped values are `values`: what turns a
 * model's log density of warped values into one of the losses themselves, so that models of
 * warped and of plain losses can be compared. The slope at warped value v is e^-v / spread.
 */
export function warpLogJacobian({ values, spread, warped }: WarpedLosses): number {
  if (!warped) return 0;
  return -values.reduce((sum, value) => sum + value + Math.log(spread), 0);
}
