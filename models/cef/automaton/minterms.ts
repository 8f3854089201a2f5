/**
 * The minterm alphabet: every truth assignment of the distinct predicates that the exclusive
 * groups allow, as a bitmask (bit i = predicate i). An event maps to its minterm by evaluating
 * each predicate once and looking the bitmask up in a table precomputed for all 2^n masks, so
 * the engine's hot loop does no allocation and no search.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { EventTest } from "../predicates/registry.ts";
import { type AttributeNeed, mergeNeeds, needsCheck } from "../predicates/attribute_need.ts";
import type { Alphabet } from "./dfa.ts";
import { type AlphabetPredicate, evaluateGuard, type Guard } from "./guard.ts";

/** Most predicates an alphabet may have (the lookup table has 2^n entries). */
export const MAX_PREDICATES = 20;
/** Most minterms an alphabet may have (automaton tables have states x minterms entries). */
export const MAX_SYMBOLS = 4096;

/** Minterms over predicates, pruned by mutually exclusive groups. */
export class MintermAlphabet implements Alphabet {
  readonly symbolCount: number;
  readonly predicates: readonly AlphabetPredicate[];
  /** Groups of predicate indices of which at most one is true. */
  readonly exclusive: readonly (readonly number[])[];
  /** The attributes the predicates read, each once. */
  readonly needs: readonly AttributeNeed[];
  readonly #refusal: (event: StreamEvent) => string | undefined;
  readonly #tests: EventTest[];
  readonly #masks: Int32Array;
  readonly #symbolOfMask: Int32Array;

  /**
   * `exclusive` lists groups of predicate indices of which at most one is true. An event that
   * breaks a group anyway (the declaration was wrong for it) maps to the minterm that keeps
   * only the group's first true predicate.
   */
  constructor(
    predicates: readonly AlphabetPredicate[],
    exclusive: readonly (readonly number[])[] = [],
  ) {
    const n = predicates.length;
    if (n > MAX_PREDICATES) {
      throw new RangeError(
        `an alphabet may have at most ${MAX_PREDICATES} distinct predicates: current value is ${n}`,
      );
    }
    for (const group of exclusive) {
      for (const index of group) {
        if (!Number.isInteger(index) || index < 0 || index >= n) {
          throw new RangeError(
            `exclusive group member must be a predicate index in [0, ${n}): current value is ${index}`,
          );
        }
      }
    }
    const groupMasks = exclusive.map((group) => group.reduce((m, i) => m | (1 << i), 0));
    const total = 1 << n;
    const masks: number[] = [];
    const symbolOfMask = new Int32Array(total).fill(-1);
    for (let mask = 0; mask < total; mask++) {
      if (groupMasks.every((g) => atMostOneBit(mask & g))) {
        symbolOfMask[mask] = masks.length;
        masks.push(mask);
      }
    }
    if (masks.length > MAX_SYMBOLS) {
      throw new RangeError(
        `an alphabet may have at most ${MAX_SYMBOLS} minterms: current value is ${masks.length}; declare exclusive groups or use fewer predicates`,
      );
    }
    for (let mask = 0; mask < total; mask++) {
      if (symbolOfMask[mask] < 0) symbolOfMask[mask] = symbolOfMask[repair(mask, groupMasks)];
    }
    this.predicates = predicates;
    this.exclusive = exclusive;
    this.needs = mergeNeeds(predicates.flatMap((p) => p.reads ?? []));
    this.#refusal = needsCheck(this.needs);
    this.symbolCount = masks.length;
    this.#tests = predicates.map((p) => p.test);
    this.#masks = Int32Array.from(masks);
    this.#symbolOfMask = symbolOfMask;
  }

  /** The minterm of `event`: each predicate evaluated once, then a table lookup. */
  symbolOf(event: StreamEvent): number {
    const tests = this.#tests;
    let mask = 0;
    for (let i = 0; i < tests.length; i++) {
      if (tests[i](event)) mask |= 1 << i;
    }
    return this.#symbolOfMask[mask];
  }

  /** Why the event lacks what a predicate reads, or undefined (see `Alphabet.refusal`). */
  refusal(event: StreamEvent): string | undefined {
    return this.#refusal(event);
  }

  /** The predicate truth assignment of `symbol`. */
  maskOf(symbol: number): number {
    this.#check(symbol);
    return this.#masks[symbol];
  }

  /** E.g. `GT(speed,5.0) & !EQStr(type,A)`; `TRUE` when there are no predicates. */
  describe(symbol: number): string {
    const mask = this.maskOf(symbol);
    if (this.predicates.length === 0) return "TRUE";
    return this.predicates.map((p, i) => ((mask >>> i) & 1 ? p.key : `!${p.key}`)).join(" & ");
  }

  /** Membership of each minterm in the set where `guard` holds (1 = member). */
  symbolsWhere(guard: Guard): Uint8Array {
    const set = new Uint8Array(this.symbolCount);
    for (let s = 0; s < this.symbolCount; s++) {
      set[s] = evaluateGuard(guard, this.#masks[s]) ? 1 : 0;
    }
    return set;
  }

  #check(symbol: number): void {
    if (!Number.isInteger(symbol) || symbol < 0 || symbol >= this.symbolCount) {
      throw new RangeError(
        `symbol must be an integer in [0, ${this.symbolCount}): current value is ${symbol}`,
      );
    }
  }
}

function atMostOneBit(bits: number): boolean {
  return (bits & (bits - 1)) === 0;
}

/** Keeps the lowest true predicate of each broken group; clearing bits never breaks a group. */
function repair(mask: number, groupMasks: readonly number[]): number {
  let repaired = mask;
  for (const group of groupMasks) {
    const bits = repaired & group;
    if (!atMostOneBit(bits)) repaired = (repaired & ~group) | (bits & -bits);
  }
  return repaired;
}
