/**
 * Conditions resolved into boolean formulas over the alphabet's predicates, so they can be
 * evaluated on minterms (predicate truth assignments) instead of on events.
 *
 * @module
 */

import type { Condition, PredicateCall } from "../pattern/ast.ts";
import { PatternError } from "../pattern/pattern_error.ts";
import type { AttributeNeed } from "../predicates/attribute_need.ts";
import type { EventTest, PredicateRegistry } from "../predicates/registry.ts";

/** A condition over predicate indices; a literal is a predicate or its negation. */
export type Guard =
  | { readonly kind: "literal"; readonly index: number; readonly positive: boolean }
  | { readonly kind: "constant"; readonly value: boolean }
  | { readonly kind: "and"; readonly operands: readonly Guard[] }
  | { readonly kind: "or"; readonly operands: readonly Guard[] }
  | { readonly kind: "not"; readonly operand: Guard };

/** A distinct predicate of the alphabet. */
export interface AlphabetPredicate {
  readonly key: string;
  readonly test: EventTest;
  /** Attributes the test reads; none when absent. */
  readonly reads?: readonly AttributeNeed[];
}

/** True when `guard` holds for the predicate truth assignment `mask` (bit i = predicate i). */
export function evaluateGuard(guard: Guard, mask: number): boolean {
  switch (guard.kind) {
    case "literal":
      return ((mask >>> guard.index) & 1) === (guard.positive ? 1 : 0);
    case "constant":
      return guard.value;
    case "and":
      return guard.operands.every((g) => evaluateGuard(g, mask));
    case "or":
      return guard.operands.some((g) => evaluateGuard(g, mask));
    case "not":
      return !evaluateGuard(guard.operand, mask);
  }
}

/**
 * Collects the distinct predicates of a pattern and its declarations, numbering them in order
 * of first appearance. Negations (`OutsideCirclePredicate`) and constants (`TruePredicate`) get
 * no number of their own: they become negative literals and constants.
 */
export class PredicateSet {
  readonly #registry: PredicateRegistry;
  readonly #indexByKey = new Map<string, number>();
  readonly #predicates: AlphabetPredicate[] = [];
  readonly #wayeb: boolean;

  /**
   * Predicates are resolved (and their arguments validated) through `registry`. A predicate
   * reading a register is refused, since a symbolic automaton keeps no registers. With `wayeb`
   * (Wayeb compatibility) it is false instead, as in Wayeb's automata without registers, and so
   * is `EpsilonPredicate`, which never lets a Wayeb match through.
   */
  constructor(registry: PredicateRegistry, options: { wayeb?: boolean } = {}) {
    this.#registry = registry;
    this.#wayeb = options.wayeb ?? false;
  }

  /** The distinct predicates so far, by index. */
  get predicates(): readonly AlphabetPredicate[] {
    return this.#predicates;
  }

  /** Resolves a predicate call, numbering its predicate if new. */
  literalOf(call: PredicateCall): Guard {
    const register = call.args.find((arg) => arg.kind === "register");
    if (this.#wayeb && call.name === "EpsilonPredicate") return { kind: "constant", value: false };
    if (register !== undefined) {
      if (this.#wayeb) return { kind: "constant", value: false };
      throw new PatternError(
        call,
        `${call.name} reads register "${register.value}": registers are honoured only by the ` +
          "register automaton (recognition with --fsm-model nsra)",
      );
    }
    const resolved = this.#registry.resolve(call);
    switch (resolved.kind) {
      case "constant":
        return resolved;
      case "test":
        return { kind: "literal", index: this.#indexOf(resolved), positive: true };
      case "negation":
        return { kind: "literal", index: this.#indexOf(resolved.of), positive: false };
    }
  }

  /** Resolves every predicate of a condition into a guard. */
  guardOf(condition: Condition): Guard {
    switch (condition.kind) {
      case "predicate":
        return this.literalOf(condition.call);
      case "and":
      case "or":
        return { kind: condition.kind, operands: condition.operands.map((c) => this.guardOf(c)) };
      case "not":
        return { kind: "not", operand: this.guardOf(condition.operand) };
    }
  }

  /** Whether the plain predicate of `call` already has a number (resolving, numbering nothing). */
  has(call: PredicateCall): boolean {
    const resolved = this.#registry.resolve(call);
    return resolved.kind === "test" && this.#indexByKey.has(resolved.key);
  }

  #indexOf(predicate: Required<AlphabetPredicate>): number {
    let index = this.#indexByKey.get(predicate.key);
    if (index === undefined) {
      index = this.#predicates.length;
      this.#indexByKey.set(predicate.key, index);
      this.#predicates.push({ key: predicate.key, test: predicate.test, reads: predicate.reads });
    }
    return index;
  }
}
