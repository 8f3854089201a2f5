/**
 * Runs a compiled pattern over a stream, one run per partition value (`event.key`). Each run
 * keeps its DFA state, its 1-based event counter and its last m minterms. The DFA already
 * restarts after a match (non-overlapping policy: an accepting state moves like the start), so a
 * run simply follows the table; its state after a match is the accepting state.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";
import type { CompiledPattern } from "./automaton/dfa.ts";
import {
  parseSnapshot,
  type RecognizerSnapshot,
  type RunSnapshot,
  snapshotOf,
} from "./run_snapshot.ts";

/** Largest history length a recognizer keeps. */
export const MAX_HISTORY = 32;

/** What one event did to its partition's run. */
export interface RecognizerStep {
  /** The event's minterm. */
  symbol: number;
  /** DFA state after the event. */
  state: number;
  /** The event completed a match. */
  detection: boolean;
  /** The partition's 1-based event index. */
  counter: number;
}

/** A partition's run as forecasters read it (no copies on the hot path). */
export interface RunView {
  /** DFA state after the last event. */
  readonly state: number;
  /** Events seen in this partition. */
  readonly counter: number;
  /** How many recent minterms are known (at most the history length). */
  readonly known: number;
  /** The i-th most recent minterm (0 = the last event's); i < `known`. */
  recent(i: number): number;
}

/** A partition's run; recent minterms live in a ring buffer. */
class PartitionRun implements RunView {
  #state: number;
  #counter: number;
  readonly #ring: Int32Array;
  #head = 0;
  #filled = 0;

  /** A run at `state` after `counter` events with `recent` minterms (most recent first). */
  constructor(state: number, counter: number, historyLength: number, recent: readonly number[]) {
    this.#state = state;
    this.#counter = counter;
    this.#ring = new Int32Array(historyLength);
    const kept = recent.slice(0, historyLength);
    for (let i = kept.length - 1; i >= 0; i--) this.#remember(kept[i]);
  }

  /** DFA state after the last event. */
  get state(): number {
    return this.#state;
  }

  /** Events seen in this partition. */
  get counter(): number {
    return this.#counter;
  }

  /** How many recent minterms are known (at most the history length). */
  get known(): number {
    return this.#filled;
  }

  /** The i-th most recent minterm (0 = the last event's); i < `known`. */
  recent(i: number): number {
    const length = this.#ring.length;
    return this.#ring[(this.#head - 1 - i + length * 2) % length];
  }

  /** Moves to `state` on `symbol`: one more event. */
  advance(state: number, symbol: number): void {
    this.#state = state;
    this.#counter++;
    this.#remember(symbol);
  }

  /** Appends the latest minterm, forgetting the oldest beyond the history length. */
  #remember(symbol: number): void {
    const length = this.#ring.length;
    if (length === 0) return;
    this.#ring[this.#head] = symbol;
    this.#head = (this.#head + 1) % length;
    if (this.#filled < length) this.#filled++;
  }
}

/** Recognises a compiled pattern per partition, with JSON snapshots of every run. */
export class Recognizer {
  readonly pattern: CompiledPattern;
  readonly historyLength: number;
  readonly #runs = new Map<string, PartitionRun>();
  readonly #delta: Int32Array;
  readonly #accepting: Uint8Array;
  readonly #symbolCount: number;

  /** `historyLength` is m, the number of recent minterms kept per partition. */
  constructor(pattern: CompiledPattern, options: { historyLength?: number } = {}) {
    const historyLength = options.historyLength ?? 0;
    if (!Number.isInteger(historyLength) || historyLength < 0 || historyLength > MAX_HISTORY) {
      throw new RangeError(
        `historyLength must be an integer in [0, ${MAX_HISTORY}]: current value is ${historyLength}`,
      );
    }
    this.pattern = pattern;
    this.historyLength = historyLength;
    this.#delta = pattern.dfa.delta;
    this.#accepting = pattern.dfa.accepting;
    this.#symbolCount = pattern.dfa.symbolCount;
  }

  /** Advances the event's partition by one event; refuses (TypeError) one the pattern cannot read. */
  step(event: StreamEvent): RecognizerStep {
    const refusal = this.pattern.alphabet.refusal(event);
    if (refusal !== undefined) throw new TypeError(refusal);
    const run = this.#runOrNew(event.key);
    const symbol = this.pattern.alphabet.symbolOf(event);
    const state = this.#delta[run.state * this.#symbolCount + symbol];
    run.advance(state, symbol);
    return { symbol, state, detection: this.#accepting[state] === 1, counter: run.counter };
  }

  /** The run of partition `key`, if it has seen an event or was restored. */
  runOf(key: string): RunView | undefined {
    return this.#runs.get(key);
  }

  /** Every partition's run state as plain JSON. */
  snapshot(): RecognizerSnapshot {
    const runs: RunSnapshot[] = [];
    for (const [key, run] of this.#runs) {
      const recent = Array.from({ length: run.known }, (_, i) => run.recent(i));
      runs.push({ key, state: run.state, counter: run.counter, recent });
    }
    return snapshotOf(this.pattern, runs);
  }

  /**
   * Replaces every run with those of `snapshot`, taken from a recognizer of the same pattern;
   * a longer history than this one keeps is cut to its most recent minterms. Nothing changes
   * if the snapshot is malformed or belongs to another automaton.
   */
  restore(state: unknown): void {
    const snapshot = parseSnapshot(state, this.pattern);
    const runs = new Map<string, PartitionRun>();
    for (const saved of snapshot.runs) {
      runs.set(
        saved.key,
        new PartitionRun(saved.state, saved.counter, this.historyLength, saved.recent),
      );
    }
    this.#runs.clear();
    for (const [key, run] of runs) this.#runs.set(key, run);
  }

  #runOrNew(key: string): PartitionRun {
    let run = this.#runs.get(key);
    if (run === undefined) {
      run = new PartitionRun(this.pattern.dfa.start, 0, this.historyLength, []);
      this.#runs.set(key, run);
    }
    return run;
  }
}
