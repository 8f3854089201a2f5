/**
 * Closed-form acquisition functions for minimisation, written on the posterior mean and standard
 * deviation of the Gaussian process. Each `score` is "higher is more worth evaluating", so one
 * maximiser serves all of them. The optimiser passes means and deviations in normalised target
 * units, so it passes `xi` in those units too (its configured value over the targets' standard
 * deviation); `kappa` multiplies a deviation and needs no conversion.
 *
 * @module
 */

import { normalCdf, normalPdf } from "./normal.ts";

/** The single acquisition functions GP-Hedge mixes. */
export type AcquisitionKind = "ei" | "pi" | "lcb";

/** Exploration parameters: improvement margin `xi` (EI, PI) and confidence width `kappa` (LCB). */
export interface AcquisitionParameters {
  xi: number;
  kappa: number;
}

// Below this deviation the posterior is treated as certain (the closed forms divide by it).
const CERTAIN = 1e-12;

/** Expected improvement E[max(0, best - xi - f)] for f ~ N(mean, std^2). */
export function expectedImprovement(mean: number, std: number, best: number, xi: number): number {
  const gain = best - xi - mean;
  if (std < CERTAIN) return Math.max(0, gain);
  const z = gain / std;
  return gain * normalCdf(z) + std * normalPdf(z);
}

/** Probability of improvement P(f < best - xi) for f ~ N(mean, std^2). */
export function probabilityOfImprovement(
  mean: number,
  std: number,
  best: number,
  xi: number,
): number {
  const gain = best - xi - mean;
  if (std < CERTAIN) return gain > 0 ? 1 : 0;
  return normalCdf(gain / std);
}

/** Lower confidence bound mean - kappa * std (an optimistic estimate of a value to minimise). */
export function lowerConfidenceBound(mean: number, std: number, kappa: number): number {
  return mean - kappa * std;
}

/** How worth evaluating a point is under `kind`: higher is better (LCB is negated). */
export function acquisitionScore(
  kind: AcquisitionKind,
  mean: number,
  std: number,
  best: number,
  { xi, kappa }: AcquisitionParameters,
): number {
  switch (kind) {
    case "ei":
      return expectedImprovement(mean, std, best, xi);
    case "pi":
      return probabilityOfImprovement(mean, std, best, xi);
    case "lcb":
      return -lowerConfidenceBound(mean, std, kappa);
  }
}
