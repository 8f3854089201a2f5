/**
 * Standard test functions for global optimisation, with their search spaces and global minima.
 *
 * @module
 */

import { type Point, SearchSpace } from "../../../policies/search/space.ts";

/** Branin-Hoo on [-5, 10] x [0, 15]: three global minima. */
export const BRANIN = {
  space: new SearchSpace([
    { name: "x1", kind: "real", low: -5, high: 10 },
    { name: "x2", kind: "real", low: 0, high: 15 },
  ]),
  minimum: 0.397887,
  evaluate({ x1, x2 }: Point): number {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const HARTMANN_ALPHA = [1, 1.2, 3, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((p) => p * 1e-4));

/** Hartmann-6 on [0, 1]^6: one global minimum and a local one at -3.2032. */
export const HARTMANN6 = {
  space: new SearchSpace(
    [0, 1, 2, 3, 4, 5].map((i) => ({ name: `x${i}`, kind: "real" as const, low: 0, high: 1 })),
  ),
  minimum: -3.32237,
  evaluate(point: Point): number {
    const x = [0, 1, 2, 3, 4, 5].map((i) => point[`x${i}`]);
    return -HARTMANN_ALPHA.reduce((sum, alpha, i) => {
      const exponent = x.reduce(
        (s, xj, j) => s + HARTMANN_A[i][j] * (xj - HARTMANN_P[i][j]) ** 2,
        0,
      );
      return sum + alpha * Math.exp(-exponent);
    }, 0);
  },
};

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
