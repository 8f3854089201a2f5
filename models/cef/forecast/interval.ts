/**
 * The forecast interval of a waiting-time distribution: the shortest [s, e] (1-based events
 * ahead) whose probability reaches the confidence threshold. Ties in length go to the higher
 * probability, then to the earlier start. An interval must carry some probability, so a
 * threshold of 0 still needs a window where a match can happen. Sums are compared with a
 * tolerance of 1e-12, so rounding (0.2 + 0.2 vs 0.6 - 0.2) neither breaks a tie nor misses a
 * threshold.
 *
 * Since probabilities are non-negative, the least end e(s) that reaches the threshold from start
 * s never decreases as s grows, so two pointers find every candidate in O(horizon).
 *
 * @module
 */

const TOLERANCE = 1e-12;

/** An interval of events ahead, with the probability that the first match falls in it. */
export interface Interval {
  start: number;
  end: number;
  probability: number;
}

/** The shortest interval of `distribution` (index n - 1 = n events ahead) reaching `threshold`. */
export function shortestInterval(
  distribution: ArrayLike<number>,
  threshold: number,
): Interval | null {
  requireThreshold(threshold);
  const horizon = distribution.length;
  // prefix[i] = P(first match within i events).
  const prefix = new Float64Array(horizon + 1);
  for (let i = 0; i < horizon; i++) prefix[i + 1] = prefix[i] + distribution[i];

  let best: Interval | null = null;
  let end = 0;
  for (let start = 1; start <= horizon; start++) {
    if (end < start) end = start;
    while (end <= horizon && !reaches(prefix[end] - prefix[start - 1], threshold)) end++;
    // Later starts only lose probability: no further interval reaches the threshold.
    if (end > horizon) break;
    const probability = prefix[end] - prefix[start - 1];
    if (
      best === null || end - start < best.end - best.start ||
      (end - start === best.end - best.start && probability > best.probability + TOLERANCE)
    ) {
      best = { start, end, probability };
    }
  }
  return best;
}

/**
 * Wayeb's `argmax` interval: from the most likely point (the earliest, on ties) it widens by
 * one event on both sides at a time (never before 1 or past the horizon) until the threshold is
 * reached; null when even the whole horizon does not reach it.
 */
export function argmaxInterval(
  distribution: ArrayLike<number>,
  threshold: number,
): Interval | null {
  requireThreshold(threshold);
  const horizon = distribution.length;
  let peak = 0;
  for (let i = 1; i < horizon; i++) if (distribution[i] > distribution[peak]) peak = i;
  let start = peak + 1;
  let end = peak + 1;
  let probability = distribution[peak];
  while (!reaches(probability, threshold)) {
    if (start === 1 && end === horizon) return null;
    if (start > 1) probability += distribution[--start - 1];
    if (end < horizon) probability += distribution[end++];
  }
  return { start, end, probability };
}

/** P(first match within `within` events): the sum of the first `within` entries. */
export function probabilityWithin(distribution: ArrayLike<number>, within: number): number {
  let total = 0;
  for (let i = 0; i < within && i < distribution.length; i++) total += distribution[i];
  return total;
}

function reaches(probability: number, threshold: number): boolean {
  return probability >= threshold - TOLERANCE && probability > 0;
}

function requireThreshold(threshold: number): void {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be in [0, 1]: current value is ${threshold}`);
  }
}
