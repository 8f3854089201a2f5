/**
 * Latin hypercube sampling of initial points: each dimension's unit interval is cut into `count`
 * equal strata and every stratum holds exactly one point, so a few initial evaluations still cover
 * the range of every parameter.
 *
 * @module
 */

import type { Random } from "./random.ts";

/** `count` points in the `dimensions`-dimensional unit cube, one per stratum per dimension. */
export function latinHypercube(count: number, dimensions: number, random: Random): number[][] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer: current value is ${count}`);
  }
  if (!Number.isSafeInteger(dimensions) || dimensions < 1) {
    throw new RangeError(`dimensions must be a positive integer: current value is ${dimensions}`);
  }
  const points = Array.from({ length: count }, () => new Array<number>(dimensions));
  for (let d = 0; d < dimensions; d++) {
    const strata = random.shuffle(Array.from({ length: count }, (_, i) => i));
    strata.forEach((stratum, i) => {
      points[i][d] = (stratum + random.next()) / count;
    });
  }
  return points;
}
