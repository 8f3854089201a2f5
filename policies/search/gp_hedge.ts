/**
 * GP-Hedge (Hoffman, Brochu, de Freitas 2011): a portfolio of acquisition functions, each of which
 * proposes a candidate; one proposal is chosen with probability softmax(eta * gains), and every
 * arm is then rewarded with the model's (negated, for minimisation) posterior mean at its own
 * proposal once the model has been refitted.
 *
 * @module
 */

import type { Random } from "./random.ts";

/** Cumulative gains of a set of arms and the softmax choice between them. */
export class GpHedge {
  readonly #gains: number[];

  /** `arms` acquisition functions; `eta` sets how greedily high gains are followed. */
  constructor(arms: number, readonly eta: number) {
    if (!Number.isSafeInteger(arms) || arms < 1) {
      throw new RangeError(`arms must be a positive integer: current value is ${arms}`);
    }
    if (!(eta > 0 && Number.isFinite(eta))) {
      throw new RangeError(`eta must be finite and > 0: current value is ${eta}`);
    }
    this.#gains = new Array(arms).fill(0);
  }

  /** The cumulative gain of each arm. */
  get gains(): readonly number[] {
    return this.#gains;
  }

  /** Probability of choosing each arm: softmax of eta * gains. */
  probabilities(): number[] {
    const scaled = this.#gains.map((gain) => this.eta * gain);
    const top = Math.max(...scaled);
    const weights = scaled.map((value) => Math.exp(value - top));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return weights.map((weight) => weight / total);
  }

  /** Draws an arm index according to `probabilities()`. */
  choose(random: Random): number {
    const probabilities = this.probabilities();
    let threshold = random.next();
    for (let arm = 0; arm < probabilities.length - 1; arm++) {
      threshold -= probabilities[arm];
      if (threshold < 0) return arm;
    }
    return probabilities.length - 1;
  }

  /** Adds each arm's reward (one per arm) to its gain. */
  reward(rewards: readonly number[]): void {
    if (rewards.length !== this.#gains.length) {
      throw new RangeError(
        `rewards must have ${this.#gains.length} entries: current count is ${rewards.length}`,
      );
    }
    rewards.forEach((reward, arm) => {
      if (!Number.isFinite(reward)) {
        throw new RangeError(`rewards[${arm}] must be finite: current value is ${reward}`);
      }
      this.#gains[arm] += reward;
    });
  }
}
