/**
 * The forecast threshold a shipped model gets. A model's forecast probabilities cluster (a
 * pattern completed with probability 0.9 gives intervals of about 0.7 and little between), so
 * held-out MCC against the threshold is a few plateaus with cliffs between them, and a threshold
 * asked for on other data (the live model's, or one an optimisation tried on its candidates'
 * fold models) can sit just past a cliff of the model fitted to ship: in the drift bench a model
 * an optimisation shipped at 0.709 scored 0.20 on the next week, where 0.70 scored 0.78. Tuned,
 * the threshold is the centre of the best plateau of held-out MCC, not its highest point: a
 * point next to a cliff on the folds may be over it on the next week.
 *
 * @module
 */

/** How a shipped model's threshold is chosen: the one asked for, or tuned on held-out data. */
export type ThresholdChoice =
  | { kind: "asked" }
  | {
    kind: "tuned";
    /** Thresholds tried, from `from` to `to` (inclusive) in steps of `step`. */
    from: number;
    to: number;
    step: number;
    /** Half the width of the neighbourhood a threshold's score is averaged over. */
    halfWidth: number;
  };

/** The thresholds a tuned choice tries, in increasing order. */
export function thresholdGrid(choice: Extract<ThresholdChoice, { kind: "tuned" }>): number[] {
  const { from, to, step } = choice;
  if (!(from >= 0 && from <= to && to <= 1)) {
    throw new RangeError(
      `from and to must satisfy 0 <= from <= to <= 1: current values are ${from} and ${to}`,
    );
  }
  if (!(step > 0)) throw new RangeError(`step must be > 0: current value is ${step}`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  // Rounded so that 0.05 + 0.025 * 26 is 0.7, not 0.7000000000000001.
  return Array.from({ length: count }, (_, i) => Math.round((from + i * step) * 1e9) / 1e9);
}

/**
 * The threshold of `grid` whose neighbourhood (the grid's thresholds within `halfWidth` of it)
 * has the highest mean score; of equals, the one nearest `asked`.
 */
export function plateauCentre(
  grid: readonly number[],
  scores: readonly number[],
  halfWidth: number,
  asked: number,
): number {
  if (grid.length === 0 || grid.length !== scores.length) {
    throw new RangeError(
      `grid and scores must be non-empty and of one length: current lengths are ${grid.length} and ${scores.length}`,
    );
  }
  if (!(halfWidth >= 0)) {
    throw new RangeError(`halfWidth must be >= 0: current value is ${halfWidth}`);
  }
  let best = -1;
  let bestMean = -Infinity;
  for (const [i, threshold] of grid.entries()) {
    let sum = 0;
    let count = 0;
    for (const [j, other] of grid.entries()) {
      if (Math.abs(other - threshold) <= halfWidth + 1e-9) {
        sum += scores[j];
        count++;
      }
    }
    const mean = sum / count;
    const nearer = best >= 0 && Math.abs(threshold - asked) < Math.abs(grid[best] - asked);
    if (mean > bestMean + 1e-12 || (Math.abs(mean - bestMean) <= 1e-12 && nearer)) {
      best = i;
      bestMean = mean;
    }
  }
  return grid[best];
}
