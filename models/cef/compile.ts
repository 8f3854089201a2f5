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
import type { CompiledPattern, SymbolicDfa } from "./automaton/dfa.ts";
import { type Guard, PredicateSet } from "./automaton/guard.ts";
import { MintermAlphabet } from "./automaton/minterms.ts";
import { minimise } from "./automaton/minimise.ts";
import { Nfa } from "./automaton/nfa.ts";
import type { Fragment } from "./automaton/nfa.ts";
import { buildFragment } from "./automaton/thompson.ts";
import type { Condition, Declarations, ParsedPattern, Regex } from "./pattern/ast.ts";
import { parseDeclarations } from "./pattern/declarations.ts";
import { parsePattern } from "./pattern/parser.ts";
import { expandSelections } from "./pattern/selection.ts";
import { PatternError } from "./pattern/pattern_error.ts";
import { builtinRegistry } from "./predicates/builtins.ts";
import type { PredicateRegistry } from "./predicates/registry.ts";

export { disambiguate, type DisambiguatedDfa } from "./automaton/disambiguate.ts";

/** What `compilePattern` may be given besides the pattern. */
export interface CompileOptions {
  /**
   * Text of a declarations file: extra predicates `+(...)` and exclusive groups `~(...)` of plain
   * predicates (a group member used nowhere else joins the alphabet, like an extra; under
   * `compat: "wayeb"` it is left out, as Wayeb does).
   */
  declarations?: string;
  /** Predicates to resolve names against; the built-ins by default. */
  predicates?: PredicateRegistry;
  /** Bound on automaton states (windows can make automata large). Default 100,000. */
  maxStates?: number;
  /** `"wayeb"` reproduces Wayeb where it departs from the plain meaning (see README). */
  compat?: "wayeb";
}

/** A pattern's alphabet and the Thompson NFA of its body (`body.start` to `body.end`). */
export interface PatternNfa {
  readonly parsed: ParsedPattern;
  readonly alphabet: MintermAlphabet;
  readonly nfa: Nfa;
  readonly body: Fragment;
}

const NO_DECLARATIONS: Declarations = { extras: [], exclusive: [] };

/** Compiles `pattern` into its alphabet and minimal DFA; throws `PatternError` on bad input. */
export function compilePattern(pattern: string, options: CompileOptions = {}): CompiledPattern {
  const maxStates = checkMaxStates(options);
  const parsed = parsePattern(pattern, options);
  if (parsed.window?.type === "time") {
    throw new RangeError(
      "{windowType:time} is not supported: only count windows compile into the automaton",
    );
  }
  const { alphabet, nfa, body } = buildPatternNfa(parsed, options);
  if (nfa.epsilonClosure(body.start).has(body.end)) {
    throw new RangeError(
      "pattern matches the empty sequence, so every event would complete a match; " +
        "make it require at least one event (e.g. ;(a,*(a)) instead of *(a))",
    );
  }
  const dfa = streamDfa({ parsed, alphabet, nfa, body }, {
    window: parsed.window?.size ?? null,
    restartOnMatch: true,
    maxStates,
  });
  return {
    source: pattern,
    alphabet,
    dfa,
    partitionBy: parsed.partitionBy,
    order: parsed.order,
  };
}

/** The bound on automaton states `options` asks for (default 100,000), checked. */
export function checkMaxStates(options: CompileOptions): number {
  const maxStates = options.maxStates ?? 100_000;
  if (!Number.isInteger(maxStates) || maxStates < 1) {
    throw new RangeError(`maxStates must be a positive integer: current value is ${maxStates}`);
  }
  return maxStates;
}

/** Resolves a parsed pattern's predicates into its alphabet and builds the NFA of its body. */
export function buildPatternNfa(parsed: ParsedPattern, options: CompileOptions = {}): PatternNfa {
  const maxStates = checkMaxStates(options);
  const declarations = options.declarations === undefined
    ? NO_DECLARATIONS
    : parseDeclarations(options.declarations);
  const regex = expandSelections(parsed.regex);
  const predicates = new PredicateSet(options.predicates ?? builtinRegistry(), {
    wayeb: options.compat === "wayeb",
  });
  const guards = new Map<Condition, Guard>();
  for (const condition of conditionsOf(regex)) {
    guards.set(condition, predicates.guardOf(condition));
  }
  for (const call of declarations.extras) predicates.literalOf(call);
  const exclusive = declarations.exclusive.map((group) =>
    group.flatMap((call) => {
      // Wayeb leaves a group member used nowhere else out of the alphabet; Retune adds it (an
      // extra), so that the model can tell its events apart.
      if (options.compat === "wayeb" && !predicates.has(call)) return [];
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
  const body = buildFragment(nfa, regex, {
    symbolCount: alphabet.symbolCount,
    symbolsOf: (condition) => alphabet.symbolsWhere(guards.get(condition)!),
    maxStates,
    compat: options.compat,
  });
  return { parsed, alphabet, nfa, body };
}

/**
 * The minimal DFA that runs a pattern over a stream: a TRUE self-loop before the body (a match
 * may start at any event), with a count window and the non-overlapping restart as asked.
 */
export function streamDfa(
  pattern: PatternNfa,
  options: { window: number | null; restartOnMatch: boolean; maxStates: number },
): SymbolicDfa {
  const { alphabet, nfa, body } = pattern;
  const loop = nfa.addState();
  nfa.addEdge(loop, new Uint8Array(alphabet.symbolCount).fill(1), loop);
  nfa.addEpsilon(loop, body.start);
  return minimise(determinize(nfa, loop, body.end, alphabet.symbolCount, {
    ...options,
    loopState: loop,
  }));
}

/** Every condition of the pattern, outermost first. */
function conditionsOf(regex: Regex): Condition[] {
  switch (regex.kind) {
    case "condition":
      return [regex.condition];
    case "sequence":
    case "choice":
      return regex.parts.flatMap(conditionsOf);
    case "empty":
      return [];
    default:
      return conditionsOf(regex.body);
  }
}
