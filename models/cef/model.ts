/**
 * The native complex event forecasting model: a pattern compiled once to its minterm alphabet
 * and DFA, a next-symbol model learned over the minterms (a prediction suffix tree, the default,
 * or a full-order Markov model of the disambiguated DFA), and waiting-time forecasts.
 *
 * Training maps each event to its minterm and groups the symbols by partition key (in stream
 * order), so no context spans two partitions. An event lacking an attribute the pattern reads
 * (`Alphabet.refusal`) is left out of training and testing, and counted in the artifact. Testing forecasts a dataset from cold runs and
 * scores it with the engine's `OnlineScorer`, resolving the windows still open at the end as
 * misses. For the Markov kind only `order` of the hyper-parameters is used.
 *
 * @module
 */

import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { StreamEvent } from "../../core/events.ts";
import type { ForecastingModel, ForecastSettings, ModelArtifact, ModelMetrics } from "../model.ts";
import { OnlineScorer } from "../online_scorer.ts";
import { CEF_ARTIFACT_FORMAT, type CefArtifact, parseCefArtifact } from "./artifact.ts";
import type { Alphabet, CompiledPattern } from "./automaton/dfa.ts";
import { compilePattern, disambiguate, type DisambiguatedDfa } from "./compile.ts";
import type { ContextModel } from "./forecast/context_model.ts";
import { CefForecaster, type ForecasterOptions } from "./forecast/forecaster.ts";
import { KeptWaitingTimes } from "./forecast/waiting_time.ts";
import { wayebStartOf } from "./automaton/wayeb_start_history.ts";
import { FullOrderMarkovChain } from "./markov/chain.ts";
import { learnMarkov } from "./markov/learn.ts";
import { learnPst } from "./pst/learn.ts";
import { checkPstParams } from "./pst/params.ts";
import { PredictionSuffixTree } from "./pst/tree.ts";
import type { PredicateRegistry } from "./predicates/registry.ts";

/** Which next-symbol model to learn. */
export type CefKind = "pst" | "markov";

/** What a native CEF model is built from. */
export interface CefModelOptions {
  /** Pattern text (Wayeb syntax). */
  pattern: string;
  /** Declarations text (extra predicates, exclusive groups), if any. */
  declarations?: string;
  /** Predicates to resolve names against; the built-ins by default. */
  predicates?: PredicateRegistry;
  kind: CefKind;
  /** Forecast mode and waiting-time cutoff of loaded forecasters. */
  forecast?: ForecasterOptions;
  /** `"wayeb"` compiles the pattern as Wayeb does (see `CompileOptions.compat`). */
  compat?: "wayeb";
}

/** The native CEF model (`cef-pst` or `cef-markov`). */
export class CefModel implements ForecastingModel {
  readonly name: string;
  readonly kind: CefKind;
  readonly compiled: CompiledPattern;
  readonly #declarations: string | null;
  readonly #forecast: ForecasterOptions;
  /**
   * Under `compat: "wayeb"` a Markov run starts with the history Wayeb's start carries. Not
   * under the forecast convention alone: the chain's rows are keyed by history, so an artifact
   * trained without it must load with Retune's own start.
   */
  readonly #wayebStart: boolean;
  readonly #disambiguated = new Map<number, DisambiguatedDfa>();
  /** Symbol sequences by dataset: an optimisation trains many candidates on one dataset. */
  readonly #sequences = new WeakMap<readonly StreamEvent[], Int32Array[]>();

  /** Compiles the pattern; throws on a bad pattern or declarations. */
  constructor(options: CefModelOptions) {
    if (options.kind !== "pst" && options.kind !== "markov") {
      throw new RangeError(`kind must be "pst" or "markov": current value is ${options.kind}`);
    }
    this.kind = options.kind;
    this.name = `cef-${options.kind}`;
    this.#declarations = options.declarations ?? null;
    this.#forecast = options.forecast ?? {};
    this.#wayebStart = options.compat === "wayeb";
    this.compiled = compilePattern(options.pattern, {
      declarations: options.declarations,
      predicates: options.predicates,
      compat: options.compat,
    });
  }

  /** Learns the next-symbol model from `dataset` (events in stream order). */
  // deno-lint-ignore require-await -- async so bad input rejects, as the interface promises
  async train(dataset: readonly StreamEvent[], params: HyperParameters): Promise<CefArtifact> {
    const { alphabet, dfa, source } = this.compiled;
    if (!(params.threshold >= 0 && params.threshold <= 1)) {
      throw new RangeError(`threshold must be in [0, 1]: current value is ${params.threshold}`);
    }
    if (this.kind === "pst") checkPstParams(params, alphabet.symbolCount);
    if (dataset.length === 0) {
      throw new RangeError("dataset must hold at least one event: current value is 0 events");
    }
    const sequences = this.#sequencesOf(dataset);
    const learned = sequences.reduce((sum, sequence) => sum + sequence.length, 0);
    if (learned === 0) {
      throw new RangeError(
        `dataset must hold an event the pattern can read: all ${dataset.length} are refused, ` +
          `the first because ${alphabet.refusal(dataset[0])}`,
      );
    }
    const common = {
      format: CEF_ARTIFACT_FORMAT,
      pattern: source,
      declarations: this.#declarations,
      params: { ...params },
      symbolCount: dfa.symbolCount,
      stateCount: dfa.stateCount,
      trainedOn: {
        events: learned,
        partitions: sequences.length,
        refused: dataset.length - learned,
      },
    } as const;
    if (this.kind === "pst") {
      const tree = learnPst(sequences, alphabet.symbolCount, params);
      return {
        ...common,
        kind: "pst",
        tree: { order: tree.order, gamma: tree.gamma, nodes: [...tree.nodes] },
      };
    }
    const chain = learnMarkov(dfa, sequences, params.order, this.#startHistory(params.order));
    this.#disambiguated.set(params.order, chain.dfa);
    return {
      ...common,
      kind: "markov",
      matrix: { order: chain.order, rows: chain.rows() },
    };
  }

  /** The symbol sequences of `dataset`, derived once per dataset array (datasets are read-only). */
  #sequencesOf(dataset: readonly StreamEvent[]): Int32Array[] {
    let sequences = this.#sequences.get(dataset);
    if (sequences === undefined) {
      sequences = symbolSequences(this.compiled.alphabet, dataset);
      this.#sequences.set(dataset, sequences);
    }
    return sequences;
  }

  /** Forecasts `dataset` from cold runs and scores every forecast. */
  async test(
    artifact: ModelArtifact,
    dataset: readonly StreamEvent[],
    settings: ForecastSettings,
  ): Promise<ModelMetrics> {
    return this.#score(await this.load(artifact, settings, 0), dataset);
  }

  /**
   * `test` at each threshold: the artifact is read once, and the forecasters share one set of
   * kept waiting-time distributions, which do not depend on the threshold.
   */
  // deno-lint-ignore require-await -- async so a bad artifact rejects, as the interface promises
  async testThresholds(
    artifact: ModelArtifact,
    dataset: readonly StreamEvent[],
    settings: ForecastSettings,
    thresholds: readonly number[],
  ): Promise<ModelMetrics[]> {
    const parsed = parseCefArtifact(artifact);
    const contextModel = this.#contextModelOf(parsed);
    const options = this.#forecasterOptions(parsed);
    const waiting = new KeptWaitingTimes(contextModel, this.compiled.dfa, {
      horizon: settings.horizon,
      cutoff: options.cutoff,
      unmerged: options.unmergedPaths,
    });
    return thresholds.map((threshold) =>
      this.#score(
        new CefForecaster(
          this.compiled,
          contextModel,
          { ...settings, threshold },
          0,
          options,
          waiting,
        ),
        dataset,
      )
    );
  }

  /** Scores `forecaster`'s forecasts over `dataset`, resolving open windows at its end. */
  #score(forecaster: CefForecaster, dataset: readonly StreamEvent[]): ModelMetrics {
    const scorer = new OnlineScorer();
    const { alphabet } = this.compiled;
    for (const event of dataset) {
      if (alphabet.refusal(event) === undefined) {
        scorer.observe(event.key, forecaster.process(event));
      }
    }
    scorer.flush();
    return scorer.metrics();
  }

  /** A forecaster for a trained artifact of this model's pattern. */
  // deno-lint-ignore require-await -- async so a bad artifact rejects, as the interface promises
  async load(
    artifact: ModelArtifact,
    settings: ForecastSettings,
    version: number,
  ): Promise<CefForecaster> {
    const parsed = parseCefArtifact(artifact);
    const contextModel = this.#contextModelOf(parsed);
    return new CefForecaster(
      this.compiled,
      contextModel,
      settings,
      version,
      this.#forecasterOptions(parsed),
    );
  }

  /**
   * The forecaster options of an artifact: Wayeb starts a PST run on its m-th event and follows
   * each of its waiting-time paths on its own; a Markov chain forecasts from the first event, on
   * merged paths.
   */
  #forecasterOptions(artifact: CefArtifact): ForecasterOptions {
    const pst = artifact.kind === "pst";
    return {
      firstForecastAt: pst ? artifact.tree.order : 1,
      unmergedPaths: pst && this.#forecast.convention === "wayeb",
      ...this.#forecast,
    };
  }

  /** The learned next-symbol model of an artifact, checked against this model's pattern. */
  #contextModelOf(artifact: CefArtifact): ContextModel {
    const { dfa, source } = this.compiled;
    if (artifact.pattern !== source || artifact.declarations !== this.#declarations) {
      throw new RangeError(
        "artifact was trained for another pattern or declarations: load it with a model built from its own",
      );
    }
    if (artifact.symbolCount !== dfa.symbolCount || artifact.stateCount !== dfa.stateCount) {
      throw new RangeError(
        `artifact's automaton must match this build's (${dfa.symbolCount} symbols, ${dfa.stateCount} states): current value is ${artifact.symbolCount} symbols, ${artifact.stateCount} states; retrain the model`,
      );
    }
    if (artifact.kind === "pst") {
      const { order, gamma, nodes } = artifact.tree;
      return new PredictionSuffixTree(dfa.symbolCount, order, gamma, nodes);
    }
    const { order, rows } = artifact.matrix;
    return FullOrderMarkovChain.fromRows(this.#disambiguatedDfa(order), rows);
  }

  #startHistory(order: number): number[] {
    return this.#wayebStart ? wayebStartOf(this.compiled, order) : [];
  }

  #disambiguatedDfa(order: number): DisambiguatedDfa {
    let disambiguated = this.#disambiguated.get(order);
    if (disambiguated === undefined) {
      disambiguated = disambiguate(
        this.compiled.dfa,
        order,
        undefined,
        this.#startHistory(order),
      );
      this.#disambiguated.set(order, disambiguated);
    }
    return disambiguated;
  }
}

/**
 * The minterms of `events`, one sequence per partition key in order of first appearance; events
 * the alphabet refuses are left out.
 */
export function symbolSequences(
  alphabet: Alphabet,
  events: readonly StreamEvent[],
): Int32Array[] {
  const partitionOf = new Map<string, number>();
  const lengths: number[] = [];
  const symbols = new Int32Array(events.length);
  const partitions = new Int32Array(events.length);
  let kept = 0;
  for (const event of events) {
    if (alphabet.refusal(event) !== undefined) continue;
    let partition = partitionOf.get(event.key);
    if (partition === undefined) {
      partition = lengths.length;
      partitionOf.set(event.key, partition);
      lengths.push(0);
    }
    lengths[partition]++;
    partitions[kept] = partition;
    symbols[kept++] = alphabet.symbolOf(event);
  }
  const sequences = lengths.map((length) => new Int32Array(length));
  const filled = new Int32Array(lengths.length);
  for (let i = 0; i < kept; i++) {
    const partition = partitions[i];
    sequences[partition][filled[partition]++] = symbols[i];
  }
  return sequences;
}
