/**
 * Compiles a Wayeb-compatible pattern (and optional declarations) into its minterm alphabet and
 * its minimal complete DFA:
 * parse -> resolve predicates -> minterms (pruned by exclusive groups) -> Thompson NFA behind a
 * TRUE self-loop (matches anywhere) -> subset construction (count window and non-overlapping
 * restart included) -> Hopcroft minimisation.
 *
 * @module
 */

import { determinize } from "./automaton/determinize.ts";
import type { CompiledPattern } from "./automaton/dfa.ts";
import { type Guard, PredicateSet } from "./automaton/guard.ts";
import { MintermAlphabet } from "./automaton/minterms.ts";
import { minimise } from "./automaton/minimise.ts";
import { Nfa } from "./automaton/nfa.ts";
import { buildFragment } from "./automaton/thompson.ts";
import type { Condition, Declarations, Regex } from "./pattern/ast.ts";
import { parseDeclarations } from "./pattern/declarations.ts";
import { parsePattern } from "./pattern/parser.ts";
import { PatternError } from "./pattern/pattern_error.ts";
import { builtinRegistry } from "./predicates/builtins.ts";
import type { PredicateRegistry } from "./predicates/registry.ts";

export { disambiguate, type DisambiguatedDfa } from "./automaton/disambiguate.ts";

/** What `compilePattern` may be given besides the pattern. */
export interface CompileOptions {
  /**
   * Text of a declarations file: extra predicates `+(...)` and exclusive groups `~(...)` of plain
   * predicates (a group member used nowhere else joins the alphabet, like an extra).
   */
  declarations?: string;
  /** Predicates to resolve names against; the built-ins by default. */
  predicates?: PredicateRegistry;
  /** Bound on automaton states (windows can make automata large). Default 100,000. */
  maxStates?: number;
}

const NO_DECLARATIONS: Declarations = { extras: [], exclusive: [] };

/** Compiles `pattern` into its alphabet and minimal DFA; throws `PatternError` on bad input. */
export function compilePattern(pattern: string, options: CompileOptions = {}): CompiledPattern {
  const maxStates = options.maxStates ?? 100_000;
  if (!Number.isInteger(maxStates) || maxStates < 1) {
    throw new RangeError(`maxStates must be a positive integer: current value is ${maxStates}`);
  }
  const parsed = parsePattern(pattern);
  if (parsed.window?.type === "time") {
    throw new RangeError(
      "{windowType:time} is not supported: only count windows compile into the automaton",
    );
  }
  const declarations = options.declarations === undefined
    ? NO_DECLARATIONS
    : parseDeclarations(options.declarations);

  const predicates = new PredicateSet(options.predicates ?? builtinRegistry());
  const guards = new Map<Condition, Guard>();
  for (const condition of conditionsOf(parsed.regex)) {
    guards.set(condition, predicates.guardOf(condition));
  }
  for (const call of declarations.extras) predicates.literalOf(call);
  const exclusive = declarations.exclusive.map((group) =>
    group.flatMap((call) => {
      const literal = predicates.literalOf(call);
      if (literal.kind !== "literal" || !literal.positive) {
        throw new PatternError(
          call,
          `exclusive groups may only list plain predicates, not negations or constants: ${call.name}`,
        );
      }
      return [literal.index];
    })
  );
  const alphabet = new MintermAlphabet(predicates.predicates, exclusive);

  const nfa = new Nfa();
  const body = buildFragment(nfa, parsed.regex, {
    symbolCount: alphabet.symbolCount,
    symbolsOf: (condition) => alphabet.symbolsWhere(guards.get(condition)!),
    maxStates,
  });
  if (nfa.epsilonClosure(body.start).has(body.end)) {
    throw new RangeError(
      "pattern matches the empty sequence, so every event would complete a match; " +
        "make it require at least one event (e.g. ;(a,*(a)) instead of *(a))",
    );
  }
  const loop = nfa.addState();
  nfa.addEdge(loop, new Uint8Array(alphabet.symbolCount).fill(1), loop);
  nfa.addEpsilon(loop, body.start);
  const dfa = minimise(determinize(nfa, loop, body.end, alphabet.symbolCount, {
    window: parsed.window?.size ?? null,
    loopState: loop,
    restartOnMatch: true,
    maxStates,
  }));
  return {
    source: pattern,
    alphabet,
    dfa,
    partitionBy: parsed.partitionBy,
    order: parsed.order,
  };
}

/** Every condition of the pattern, outermost first. */
function conditionsOf(regex: Regex): Condition[] {
  switch (regex.kind) {
    case "condition":
      return [regex.condition];
    case "sequence":
    case "choice":
      return regex.parts.flatMap(conditionsOf);
    case "star":
    case "complement":
      return conditionsOf(regex.body);
  }
}
