/**
 * Exponential backoff with jitter: how long a supervisor waits before restarting a child.
 * Jitter spreads restarts of many actors that failed together (e.g. a broker outage).
 *
 * @module
 */

/** Shape of the delays. */
export interface BackoffOptions {
  /** Delay before the first restart, ms. */
  initialMs: number;
  /** Upper bound of the delay before jitter, ms. */
  maxMs: number;
  /** Growth per attempt, >= 1. */
  factor: number;
  /** Relative spread in [0, 1): the delay is drawn from delay * (1 ± jitter). */
  jitter: number;
}

/** Delays that grow exponentially with the attempt number, capped and jittered. */
export class ExponentialBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly #random: () => number;

  /** Validates the options; `random` (uniform in [0, 1)) is injectable for tests. */
  constructor(options: BackoffOptions, random: () => number = Math.random) {
    const { initialMs, maxMs, factor, jitter } = options;
    if (!(Number.isFinite(initialMs) && initialMs > 0)) {
      throw new RangeError(`initialMs must be a positive number: current value is ${initialMs}`);
    }
    if (!(Number.isFinite(maxMs) && maxMs >= initialMs)) {
      throw new RangeError(`maxMs must be a number >= initialMs: current value is ${maxMs}`);
    }
    if (!(Number.isFinite(factor) && factor >= 1)) {
      throw new RangeError(`factor must be a number >= 1: current value is ${factor}`);
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new RangeError(`jitter must be a number in [0, 1): current value is ${jitter}`);
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.factor = factor;
    this.jitter = jitter;
    this.#random = random;
  }

  /** Delay before attempt `attempt` (0 = first retry), ms. */
  delay(attempt: number): number {
    if (!(Number.isInteger(attempt) && attempt >= 0)) {
      throw new RangeError(`attempt must be a non-negative integer: current value is ${attempt}`);
    }
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** attempt);
    return Math.round(base * (1 + this.jitter * (2 * this.#random() - 1)));
  }
}
