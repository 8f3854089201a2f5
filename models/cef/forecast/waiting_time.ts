/**
 * Waiting-time distributions (Alevizos et al., VLDB J. 2022): from a run's current pair
 * (context, DFA state), the probability that the next match completes exactly n events ahead,
 * n = 1..horizon. Probability mass is pushed forward through the chain over pairs: each symbol x
 * moves the context by the model and the state by the DFA with probability P(x | context); mass
 * entering an accepting state is the first match and stops there.
 *
 * Paths that reach the same pair after the same number of events have the same future, so they
 * are merged; after each step a pair holding less than `cutoff` is dropped. A merged pair holds
 * at least as much as any one of its paths, so this drops no more than cutting single paths
 * would. The distribution therefore sums to at most 1 (less where mass was dropped, or where the
 * match comes after the horizon).
 *
 * @module
 */

import type { SymbolicDfa } from "../automaton/dfa.ts";
import type { ContextModel } from "./context_model.ts";

/** Default least probability a (context, state) pair must hold to be followed further. */
export const DEFAULT_CUTOFF = 0.001;

/** How far and how finely waiting times are computed. */
export interface WaitingTimeOptions {
  /** Longest look-ahead in events, a positive integer. */
  horizon: number;
  /** Pairs holding less probability than this are dropped, in [0, 1). Default 0.001. */
  cutoff?: number;
  /**
   * Follow every path on its own, as Wayeb does, instead of merging paths that reach the same
   * pair, and drop each path holding at most `cutoff` (so more mass is dropped). Default false.
   */
  unmerged?: boolean;
}

/** Computes waiting-time distributions of a context model combined with a pattern DFA. */
export class WaitingTimes {
  readonly horizon: number;
  readonly cutoff: number;
  readonly #model: ContextModel;
  readonly #dfa: SymbolicDfa;
  readonly #unmerged: boolean;
  // Dense scratch indexed by pair = context * stateCount + state, reused by every call.
  #mass: Float64Array;
  #nextMass: Float64Array;
  #pairs: Int32Array;
  #nextPairs: Int32Array;

  /** Waiting times of `model` driving `dfa` (same symbols). */
  constructor(model: ContextModel, dfa: SymbolicDfa, options: WaitingTimeOptions) {
    const { horizon } = options;
    const cutoff = options.cutoff ?? DEFAULT_CUTOFF;
    if (!Number.isInteger(horizon) || horizon < 1) {
      throw new RangeError(`horizon must be a positive integer: current value is ${horizon}`);
    }
    if (!(cutoff >= 0 && cutoff < 1)) {
      throw new RangeError(`cutoff must be in [0, 1): current value is ${cutoff}`);
    }
    if (model.symbolCount !== dfa.symbolCount) {
      throw new RangeError(
        `model and DFA must share their symbols: current value is ${model.symbolCount} model symbols, ${dfa.symbolCount} DFA symbols`,
      );
    }
    this.horizon = horizon;
    this.cutoff = cutoff;
    this.#model = model;
    this.#dfa = dfa;
    this.#unmerged = options.unmerged ?? false;
    const pairs = model.contextCount * dfa.stateCount;
    this.#mass = new Float64Array(pairs);
    this.#nextMass = new Float64Array(pairs);
    this.#pairs = new Int32Array(pairs);
    this.#nextPairs = new Int32Array(pairs);
  }

  /**
   * P(first match exactly n events ahead) for n = 1..horizon, at index n - 1, from `context`
   * with the DFA at `state`; written into `out` if given.
   */
  distribution(
    context: number,
    state: number,
    out: Float64Array = new Float64Array(this.horizon),
  ): Float64Array {
    const model = this.#model;
    const dfa = this.#dfa;
    const k = model.symbolCount;
    const states = dfa.stateCount;
    if (!(Number.isInteger(context) && context >= 0 && context < model.contextCount)) {
      throw new RangeError(
        `context must be an integer in [0, ${model.contextCount}): current value is ${context}`,
      );
    }
    if (!(Number.isInteger(state) && state >= 0 && state < states)) {
      throw new RangeError(`state must be an integer in [0, ${states}): current value is ${state}`);
    }
    if (out.length < this.horizon) {
      throw new RangeError(
        `out must hold horizon = ${this.horizon} entries: current value is ${out.length}`,
      );
    }
    out.fill(0);
    if (this.#unmerged) return this.#unmergedDistribution(context, state, out);
    const { next, probability } = model;
    const { delta, accepting } = dfa;
    const cutoff = this.cutoff;

    let mass = this.#mass;
    let nextMass = this.#nextMass;
    let pairs = this.#pairs;
    let nextPairs = this.#nextPairs;
    const first = context * states + state;
    mass[first] = 1;
    pairs[0] = first;
    let count = 1;
    for (let n = 0; n < this.horizon && count > 0; n++) {
      let nextCount = 0;
      let matched = 0;
      for (let i = 0; i < count; i++) {
        const pair = pairs[i];
        const p = mass[pair];
        mass[pair] = 0;
        const from = (pair / states) | 0;
        const row = from * k;
        const stateRow = (pair - from * states) * k;
        for (let x = 0; x < k; x++) {
          const share = p * probability[row + x];
          if (share === 0) continue;
          const to = delta[stateRow + x];
          if (accepting[to] === 1) {
            matched += share;
          } else {
            const target = next[row + x] * states + to;
            if (nextMass[target] === 0) nextPairs[nextCount++] = target;
            nextMass[target] += share;
          }
        }
      }
      out[n] = matched;
      count = 0;
      for (let i = 0; i < nextCount; i++) {
        const pair = nextPairs[i];
        if (nextMass[pair] >= cutoff) nextPairs[count++] = pair;
        else nextMass[pair] = 0;
      }
      [mass, nextMass] = [nextMass, mass];
      [pairs, nextPairs] = [nextPairs, pairs];
    }
    for (let i = 0; i < count; i++) mass[pairs[i]] = 0;
    this.#mass = mass;
    this.#nextMass = nextMass;
    this.#pairs = pairs;
    this.#nextPairs = nextPairs;
    return out;
  }

  /** `distribution` following each path on its own, dropping paths holding at most `cutoff`. */
  #unmergedDistribution(context: number, state: number, out: Float64Array): Float64Array {
    const { next, probability, symbolCount: k } = this.#model;
    const { delta, accepting, stateCount: states } = this.#dfa;
    let paths: number[] = [context * states + state];
    let masses: number[] = [1];
    for (let n = 0; n < this.horizon && paths.length > 0; n++) {
      const nextPaths: number[] = [];
      const nextMasses: number[] = [];
      let matched = 0;
      for (let i = 0; i < paths.length; i++) {
        const from = (paths[i] / states) | 0;
        const stateRow = (paths[i] - from * states) * k;
        for (let x = 0; x < k; x++) {
          const share = masses[i] * probability[from * k + x];
          if (share === 0) continue;
          const to = delta[stateRow + x];
          if (accepting[to] === 1) matched += share;
          else if (share > this.cutoff) {
            nextPaths.push(next[from * k + x] * states + to);
            nextMasses.push(share);
          }
        }
      }
      out[n] = matched;
      paths = nextPaths;
      masses = nextMasses;
    }
    return out;
  }
}

/**
 * Waiting times that keep every distribution they computed: forecasters of one model at several
 * thresholds (`CefModel.testThresholds`) share one, so each (context, state) pair's distribution,
 * the costly part of a forecast, is computed once rather than once per threshold.
 */
export class KeptWaitingTimes extends WaitingTimes {
  readonly #states: number;
  readonly #kept = new Map<number, Float64Array>();

  /** Waiting times of `model` driving `dfa`, kept as computed. */
  constructor(model: ContextModel, dfa: SymbolicDfa, options: WaitingTimeOptions) {
    super(model, dfa, options);
    this.#states = dfa.stateCount;
  }

  /** As `WaitingTimes.distribution`, computed on the pair's first call only. */
  override distribution(
    context: number,
    state: number,
    out: Float64Array = new Float64Array(this.horizon),
  ): Float64Array {
    const pair = context * this.#states + state;
    const kept = this.#kept.get(pair);
    if (kept !== undefined && out.length >= this.horizon) {
      out.set(kept);
      return out;
    }
    super.distribution(context, state, out);
    this.#kept.set(pair, out.slice(0, this.horizon));
    return out;
  }
}
