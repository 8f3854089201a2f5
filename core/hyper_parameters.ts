/**
 * The hyper-parameters of a forecasting model: the optimiser's search space and the factory's
 * training input.
 *
 * @module
 */

/** Forecasting hyper-parameters. */
export interface HyperParameters {
  /** Maximum PST depth / Markov order m. */
  order: number;
  /** Forecast confidence threshold theta_fc. */
  threshold: number;
  pMin: number;
  gamma: number;
  alpha: number;
  r: number;
}
