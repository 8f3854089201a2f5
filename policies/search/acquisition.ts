/**
 * Closed-form acquisition functions for minimisation, written on the posterior mean and standard
 * deviation of the Gaussian process. Each `score` is "higher is more worth evaluating", so one
 * maximiser serves all of them. EI is scored as its logarithm (as BoTorch's LogEI): the same
 * ranking, but far from the incumbent EI decays like exp(-z^2 / 2) into flat plateaus and then
 * underflows, where the log keeps a slope for the local ascent to follow. The optimiser passes means and deviations in normalised target
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

// Below this z, log EI is taken from its asymptotic series: the closed form's two terms cancel.
const LOG_EI_SERIES_BELOW = -25;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log E[max(0, best - xi - f)] for f ~ N(mean, std^2); finite (a tiny std counts as 1e-12). */
export function logExpectedImprovement(
  mean: number,
  std: number,
  best: number,
  xi: number,
): number {
  const gain = best - xi - mean;
  if (std < CERTAIN && gain > 0) return Math.log(gain);
  // A certain non-improvement keeps a finite score, so rankings and ascents never meet -Infinity.
  const sigma = Math.max(std, CERTAIN);
  const z = gain / sigma;
  if (z >= LOG_EI_SERIES_BELOW) return Math.log(expectedImprovement(mean, sigma, best, xi));
  // EI / std = pdf(z) + z cdf(z) = pdf(z) / z^2 (1 - 3 / z^2 + 15 / z^4 - ...) as z -> -inf.
  const inverse = 1 / (z * z);
  return Math.log(sigma) - 0.5 * z * z - LOG_SQRT_2PI + Math.log(inverse) +
    Math.log1p(-3 * inverse + 15 * inverse * inverse);
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

/** How worth evaluating a point is under `kind`: higher is better (log EI, LCB negated). */
export function acquisitionScore(
  kind: AcquisitionKind,
  mean: number,
  std: number,
  best: number,
  { xi, kappa }: AcquisitionParameters,
): number {
  switch (kind) {
    case "ei":
      return logExpectedImprovement(mean, std, best, xi);
    case "pi":
      return probabilityOfImprovement(mean, std, best, xi);
    case "lcb":
      return -lowerConfidenceBound(mean, std, kappa);
  }
}
