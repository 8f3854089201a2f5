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

/** Rosenbrock in 4 dimensions on [-2.048, 2.048]^4: a curved valley, minimum 0 at (1, 1, 1, 1). */
export const ROSENBROCK4 = {
  space: new SearchSpace(
    [0, 1, 2, 3].map((i) => ({ name: `x${i}`, kind: "real" as const, low: -2.048, high: 2.048 })),
  ),
  minimum: 0,
  evaluate(point: Point): number {
    const x = [0, 1, 2, 3].map((i) => point[`x${i}`]);
    let sum = 0;
    for (let i = 0; i < 3; i++) sum += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
    return sum;
  },
};

/** Ackley in 5 dimensions on [-32.768, 32.768]^5: many local minima, global minimum 0 at 0. */
export const ACKLEY5 = {
  space: new SearchSpace(
    [0, 1, 2, 3, 4].map((i) => ({
      name: `x${i}`,
      kind: "real" as const,
      low: -32.768,
      high: 32.768,
    })),
  ),
  minimum: 0,
  evaluate(point: Point): number {
    const x = [0, 1, 2, 3, 4].map((i) => point[`x${i}`]);
    const square = x.reduce((sum, v) => sum + v * v, 0) / x.length;
    const cosine = x.reduce((sum, v) => sum + Math.cos(2 * Math.PI * v), 0) / x.length;
    return -20 * Math.exp(-0.2 * Math.sqrt(square)) - Math.exp(cosine) + 20 + Math.E;
  },
};

/** A space shaped like the CEF hyper-parameters: an integer, two log-scale reals, a real. */
const CEF_SPACE = new SearchSpace([
  { name: "order", kind: "integer", low: 1, high: 5 },
  { name: "pMin", kind: "log", low: 1e-4, high: 1e-2 },
  { name: "gamma", kind: "log", low: 1e-4, high: 1e-2 },
  { name: "threshold", kind: "real", low: 0, high: 1 },
]);

/** A separable bowl over the CEF-shaped space, quadratic in the logs: minimum 0 at order 3. */
export const CEF_SMOOTH = {
  space: CEF_SPACE,
  minimum: 0,
  evaluate({ order, pMin, gamma, threshold }: Point): number {
    const u = Math.log10(pMin);
    const v = Math.log10(gamma);
    return 0.05 * (order - 3) ** 2 + (threshold - 0.6) ** 2 + 0.5 * (u + 3.3) ** 2 +
      0.25 * (v + 3.5) ** 2;
  },
};

/**
 * The CEF-shaped space with the optimum of the reals depending on the order and gamma tied to
 * pMin, plus ripples along the threshold: minimum 0 at order 4, threshold 0.7, pMin 10^-2.6,
 * gamma 10^-3.1.
 */
export const CEF_COUPLED = {
  space: CEF_SPACE,
  minimum: 0,
  evaluate({ order, pMin, gamma, threshold }: Point): number {
    const u = Math.log10(pMin);
    const v = Math.log10(gamma);
    const bestThreshold = 0.3 + 0.1 * order;
    const bestU = -4.2 + 0.4 * order;
    return 0.1 * Math.abs(order - 4) + 4 * (threshold - bestThreshold) ** 2 +
      0.1 * (1 - Math.cos(6 * Math.PI * (threshold - bestThreshold))) + 2 * (u - bestU) ** 2 +
      (v - u + 0.5) ** 2;
  },
};

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
