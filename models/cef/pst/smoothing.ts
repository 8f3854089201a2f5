/**
 * Gamma smoothing of a next-symbol distribution (Ron, Singer, Tishby 1996):
 * p'(x) = p(x) * (1 - K * gamma) + gamma, so no symbol is impossible and the row still sums to 1.
 *
 * @module
 */

/** Smoothed distribution of the symbol `counts` (K entries, positive total) into `out`. */
export function smoothInto(
  counts: ArrayLike<number>,
  gamma: number,
  out: Float64Array,
  offset = 0,
): void {
  const k = counts.length;
  if (!(gamma >= 0 && gamma * k <= 1)) {
    throw new RangeError(
      `gamma must be in [0, 1/K] (K = ${k} symbols): current value is ${gamma}`,
    );
  }
  let total = 0;
  for (let x = 0; x < k; x++) total += counts[x];
  if (!(total > 0)) {
    throw new RangeError(`counts must have a positive total: current value is ${total}`);
  }
  const scale = (1 - k * gamma) / total;
  for (let x = 0; x < k; x++) out[offset + x] = counts[x] * scale + gamma;
}
