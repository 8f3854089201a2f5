/**
 * A partition's run as the forecaster keeps it: pattern DFA state, model context, event counter
 * and the last MAX_ORDER symbols (whatever this model's order, so a swap to a model of higher
 * order still finds its full context). Runs travel between forecasters as the recognizer's
 * snapshot shape (`run_snapshot.ts`: DFA state, counter and recent symbols per partition, with
 * the pattern and automaton size), which leaves out the model-specific context: each forecaster
 * derives that from the symbols.
 *
 * @module
 */

import { MAX_ORDER } from "./context_model.ts";

/** One partition's run; fields are mutated in place by the forecaster's hot loop. */
export class PartitionRun {
  /** Pattern DFA state after the last event. */
  state: number;
  /** Model context after the last event. */
  context: number;
  /** Events seen in this partition (1-based index of the last one). */
  counter: number;
  readonly #ring = new Int32Array(MAX_ORDER);
  #head = 0;
  #known = 0;

  /** A run with `recent` symbols (most recent first; only the first MAX_ORDER are kept). */
  constructor(state: number, context: number, counter: number, recent: readonly number[] = []) {
    this.state = state;
    this.context = context;
    this.counter = counter;
    for (let i = Math.min(recent.length, MAX_ORDER) - 1; i >= 0; i--) this.remember(recent[i]);
  }

  /** Appends the latest symbol, forgetting the oldest beyond MAX_ORDER. */
  remember(symbol: number): void {
    this.#ring[this.#head] = symbol;
    this.#head = this.#head === MAX_ORDER - 1 ? 0 : this.#head + 1;
    if (this.#known < MAX_ORDER) this.#known++;
  }

  /** The known recent symbols, most recent first. */
  recent(): number[] {
    const symbols: number[] = [];
    for (let i = 1; i <= this.#known; i++) {
      symbols.push(this.#ring[(this.#head - i + MAX_ORDER) % MAX_ORDER]);
    }
    return symbols;
  }
}
