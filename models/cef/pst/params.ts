/**
 * Hyper-parameters of prediction suffix tree learning (Ron, Singer, Tishby 1996), with their
 * checks.
 *
 * @module
 */

import { checkOrder } from "../forecast/context_model.ts";

/** What PST learning is tuned by. */
export interface PstParams {
  /** Maximum context length m, an integer in [1, 5]. */
  order: number;
  /** Least empirical probability P(s) of a context worth considering, in [0, 1]. */
  pMin: number;
  /** Smoothing floor: every next-symbol probability is at least gamma; gamma * K <= 1. */
  gamma: number;
  /** A context needs some P(x|s) >= (1 + alpha) * gamma to be kept; alpha >= 0. */
  alpha: number;
  /** Least ratio P(x|s) / P(x|suffix(s)) (or its inverse) that makes a context worth keeping. */
  r: number;
}

/** Defaults of the parameters RTCEF does not tune. */
export const PST_DEFAULTS = { alpha: 0, r: 1.05 } as const;

/** Throws a RangeError naming the first parameter out of range for `symbolCount` symbols. */
export function checkPstParams(params: PstParams, symbolCount: number): void {
  checkOrder(params.order);
  const { pMin, gamma, alpha, r } = params;
  if (!(pMin >= 0 && pMin <= 1)) {
    throw new RangeError(`pMin must be in [0, 1]: current value is ${pMin}`);
  }
  if (!(gamma >= 0 && gamma <= 1)) {
    throw new RangeError(`gamma must be in [0, 1]: current value is ${gamma}`);
  }
  if (gamma * symbolCount > 1) {
    throw new RangeError(
      `gamma * symbolCount must be at most 1 (smoothing keeps a distribution): current value is ${gamma} * ${symbolCount} = ${
        gamma * symbolCount
      }`,
    );
  }
  if (!(alpha >= 0 && Number.isFinite(alpha))) {
    throw new RangeError(`alpha must be a finite number >= 0: current value is ${alpha}`);
  }
  if (!(r >= 1 && Number.isFinite(r))) {
    throw new RangeError(`r must be a finite number >= 1: current value is ${r}`);
  }
}
