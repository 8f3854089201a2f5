/**
 * How good a model's forecasts are: confusion counts and the scores derived from them.
 *
 * @module
 */

/** Confusion counts and the scores derived from them. */
export interface Scores {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
  mcc: number;
}
