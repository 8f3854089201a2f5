/**
 * The predicate registry: predicate names mapped to definitions that validate their arguments
 * at compile time and build fast closures `(event) => boolean`. Users extend it by registering
 * their own definitions next to the built-ins.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { PredicateArg, PredicateCall } from "../pattern/ast.ts";
import { PatternError } from "../pattern/pattern_error.ts";
import type { AttributeNeed } from "./attribute_need.ts";

/** The compiled form of a predicate: evaluated once per event in the engine's hot loop. */
export type EventTest = (event: StreamEvent) => boolean;

/** One declared parameter: numbers must be written with a dot (`5.0`), text is anything else. */
export interface ParamSpec {
  readonly name: string;
  readonly kind: "number" | "text";
}

/** Validated arguments by parameter name. */
export type PredicateArgs = Readonly<Record<string, number | string>>;

/**
 * What a predicate means: a test, the exact negation of another predicate (so the alphabet
 * knows the two can never agree), or a constant. A test lists the attributes it reads (`reads`,
 * none when absent): an event without one of them is refused rather than tested.
 */
export type PredicateMeaning =
  | { readonly kind: "test"; readonly test: EventTest; readonly reads?: readonly AttributeNeed[] }
  | { readonly kind: "negation"; readonly of: { name: string; args: readonly PredicateArg[] } }
  | { readonly kind: "constant"; readonly value: boolean };

/** How to build a predicate; `create` may throw a RangeError naming a bad argument. */
export interface PredicateDefinition {
  readonly params: readonly ParamSpec[];
  create(args: PredicateArgs): PredicateMeaning;
}

/** A plain test resolved: its canonical key, its closure and what it reads. */
export interface ResolvedTest {
  readonly kind: "test";
  readonly key: string;
  readonly test: EventTest;
  readonly reads: readonly AttributeNeed[];
}

/** A predicate resolved to its canonical form. */
export type ResolvedPredicate =
  | ResolvedTest
  | { readonly kind: "negation"; readonly of: ResolvedTest }
  | { readonly kind: "constant"; readonly value: boolean };

/** Predicate definitions by name. */
export class PredicateRegistry {
  readonly #definitions = new Map<string, PredicateDefinition>();

  /** Adds a definition; names are unique. */
  register(name: string, definition: PredicateDefinition): this {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new RangeError(`predicate name must be an identifier: current value is '${name}'`);
    }
    if (this.#definitions.has(name)) {
      throw new RangeError(`predicate name is already registered: current value is '${name}'`);
    }
    this.#definitions.set(name, definition);
    return this;
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.#definitions.keys()].sort();
  }

  /**
   * Validates the call's arguments and builds it; errors point at the call's position, and an
   * unknown name is reported with the list of known ones.
   */
  resolve(call: PredicateCall): ResolvedPredicate {
    const meaning = this.#build(call, call.name, call.args);
    switch (meaning.kind) {
      case "constant":
        return meaning;
      case "test":
        return {
          kind: "test",
          key: canonicalCall(call.name, call.args),
          test: meaning.test,
          reads: meaning.reads ?? [],
        };
      case "negation": {
        const { name, args } = meaning.of;
        const base = this.#build(call, name, args);
        if (base.kind !== "test") {
          throw new PatternError(
            call,
            `${call.name} is defined as the negation of ${name}, which must be a plain test`,
          );
        }
        return {
          kind: "negation",
          of: {
            kind: "test",
            key: canonicalCall(name, args),
            test: base.test,
            reads: base.reads ?? [],
          },
        };
      }
    }
  }

  #build(at: PredicateCall, name: string, args: readonly PredicateArg[]): PredicateMeaning {
    const definition = this.#definitions.get(name);
    if (definition === undefined) {
      throw new PatternError(
        at,
        `unknown predicate '${name}'; known predicates: ${this.names().join(", ")}`,
      );
    }
    const { params } = definition;
    if (args.length !== params.length) {
      throw new PatternError(
        at,
        `${name} expects ${params.length} argument(s) (${
          params.map((p) => p.name).join(", ")
        }) but got ${args.length}`,
      );
    }
    const named: Record<string, number | string> = {};
    params.forEach((param, i) => {
      const arg = args[i];
      if (param.kind === "number" && arg.kind !== "number") {
        throw new PatternError(
          at,
          `${name}: ${param.name} must be a number written with a dot (e.g. 5.0): current value is ${arg.value}`,
        );
      }
      named[param.name] = arg.value;
    });
    try {
      return definition.create(named);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      throw new PatternError(at, `${name}: ${error.message}`);
    }
  }
}

/** The canonical spelling of a call, e.g. `GT(speed,5.0)`: equal keys mean the same predicate. */
function canonicalCall(name: string, args: readonly PredicateArg[]): string {
  return `${name}(${args.map(formatArg).join(",")})`;
}

function formatArg(arg: PredicateArg): string {
  if (arg.kind === "number") {
    return Number.isInteger(arg.value) ? arg.value.toFixed(1) : String(arg.value);
  }
  return /^-?[A-Za-z0-9_]+$/.test(arg.value) ? arg.value : JSON.stringify(arg.value);
}
