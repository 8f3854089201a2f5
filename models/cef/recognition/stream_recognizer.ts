/**
 * Recognises a pattern file (one or more patterns separated by `&`) over a stream as Wayeb's
 * `recognition` command does: each pattern runs side by side on its own automaton, per
 * partition of its `{partitionBy:attr}`, and the matches of all patterns are summed. A RESET
 * (Wayeb's rows with timestamp -1) drops the partial matches of the partition it names.
 *
 * @module
 */

import type { AttributeValue, StreamEvent } from "../../../core/events.ts";
import { determinize } from "../automaton/determinize.ts";
import { minimise } from "../automaton/minimise.ts";
import { buildPatternNfa, checkMaxStates, type PatternNfa, streamDfa } from "../compile.ts";
import type { ParsedPattern } from "../pattern/ast.ts";
import { parsePatterns } from "../pattern/parser.ts";
import { expandSelections } from "../pattern/selection.ts";
import { needsCheck } from "../predicates/attribute_need.ts";
import { builtinRegistry } from "../predicates/builtins.ts";
import type { PredicateRegistry } from "../predicates/registry.ts";
import { DfaRuns } from "./dfa_runs.ts";
import { NfaRuns } from "./nfa_runs.ts";
import { buildRegisterNfa } from "./register_nfa.ts";
import { RegisterRuns } from "./register_runs.ts";
import { WayebRegisterRuns } from "./wayeb_register_runs.ts";
import type { PatternRuns } from "./pattern_runs.ts";
import type { RecognitionOptions } from "./recognition_options.ts";

/** One pattern of the file with its runs. */
interface RunningPattern {
  readonly partitionBy: string | null;
  readonly refusal: (event: StreamEvent) => string | undefined;
  readonly runs: PatternRuns;
}

/** What a `StreamRecognizer` is built from besides the recognition options. */
export interface StreamRecognizerOptions extends RecognitionOptions {
  /** Predicates to resolve names against; the built-ins by default. */
  readonly predicates?: PredicateRegistry;
  /** Bound on automaton states. Default 100,000. */
  readonly maxStates?: number;
}

/** Every pattern of a file, recognised side by side. */
export class StreamRecognizer {
  readonly #patterns: RunningPattern[];
  readonly #reset: boolean;

  /** Compiles every pattern of `source`; throws `PatternError` or RangeError on bad input. */
  constructor(source: string, options: StreamRecognizerOptions = {}) {
    this.#reset = options.reset ?? false;
    this.#patterns = parsePatterns(source, options).map((parsed) => running(parsed, options));
  }

  /** How many matches `event` completed, over all patterns; throws on an unreadable event. */
  step(event: StreamEvent): number {
    let matches = 0;
    for (const pattern of this.#patterns) {
      const refusal = pattern.refusal(event);
      if (refusal !== undefined) throw new TypeError(refusal);
      const key = partitionOf(pattern, event.attributes, "event");
      const completed = pattern.runs.step(event, key);
      if (completed > 0 && this.#reset) pattern.runs.reset(key);
      matches += completed;
    }
    return matches;
  }

  /** A RESET with `attributes`: every pattern drops the partial matches of its partition. */
  reset(attributes: Readonly<Record<string, AttributeValue>>): void {
    for (const pattern of this.#patterns) {
      pattern.runs.reset(partitionOf(pattern, attributes, "RESET"));
    }
  }
}

function running(parsed: ParsedPattern, options: StreamRecognizerOptions): RunningPattern {
  const maxStates = checkMaxStates(options);
  if (options.fsmModel === "nsra" || options.fsmModel === "dsra") {
    const deterministic = options.fsmModel === "dsra";
    if (deterministic && parsed.window === null) {
      throw new RangeError("the dsra model needs a window: add {window:N} to the pattern");
    }
    const nfa = buildRegisterNfa(
      expandSelections(parsed.regex),
      options.predicates ?? builtinRegistry(),
    );
    const check = needsCheck(nfa.needs);
    const runs = !deterministic && options.compat === "wayeb"
      ? new WayebRegisterRuns(nfa, parsed.window)
      : new RegisterRuns(nfa, parsed.window, { onePerEvent: deterministic });
    return { partitionBy: parsed.partitionBy, refusal: check, runs };
  }
  const pattern = buildPatternNfa(parsed, options);
  const { alphabet } = pattern;
  const refusal = (event: StreamEvent) => alphabet.refusal(event);
  const fsmModel = options.fsmModel ?? "dsfa";
  if (fsmModel === "nsfa") {
    return { partitionBy: parsed.partitionBy, refusal, runs: nfaRuns(pattern, maxStates) };
  }
  if (fsmModel !== "dsfa") {
    throw new RangeError(
      `fsmModel must be dsfa, nsfa, nsra or dsra: current value is '${fsmModel}'`,
    );
  }
  const window = deterministicWindow(parsed, options);
  const dfa = streamDfa(pattern, {
    window,
    restartOnMatch: (options.countPolicy ?? "nonoverlap") === "nonoverlap",
    maxStates,
  });
  return { partitionBy: parsed.partitionBy, refusal, runs: new DfaRuns(alphabet, dfa) };
}

/**
 * The count window the deterministic automaton enforces. Wayeb's dsfa ignores every window;
 * Retune enforces a count window and refuses a time window, unless `compat` is `"wayeb"`.
 */
function deterministicWindow(parsed: ParsedPattern, options: RecognitionOptions): number | null {
  if (parsed.window === null || options.compat === "wayeb") return null;
  if (parsed.window.type === "time") {
    throw new RangeError(
      "{windowType:time} needs runs per start event: recognise with --fsm-model nsfa",
    );
  }
  return parsed.window.size;
}

function nfaRuns(pattern: PatternNfa, maxStates: number): NfaRuns {
  const { alphabet, nfa, body, parsed } = pattern;
  const dfa = minimise(determinize(nfa, body.start, body.end, alphabet.symbolCount, {
    window: null,
    loopState: null,
    restartOnMatch: false,
    maxStates,
  }));
  return new NfaRuns(alphabet, dfa, parsed.window);
}

/** The partition value of a pattern's run for a row with `attributes`. */
function partitionOf(
  pattern: RunningPattern,
  attributes: Readonly<Record<string, AttributeValue>>,
  row: string,
): string {
  if (pattern.partitionBy === null) return "";
  const value = attributes[pattern.partitionBy];
  if (value === undefined) {
    throw new TypeError(
      `${row} lacks the attribute '${pattern.partitionBy}' the pattern is partitioned by ` +
        `(attributes: ${Object.keys(attributes).join(", ") || "none"})`,
    );
  }
  return String(value);
}
