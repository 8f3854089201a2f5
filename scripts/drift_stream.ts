/**
 * Seeded synthetic streams with concept drift, for testing run-time adaptation on the pattern
 * `;(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))` over the event
 * types A..E.
 *
 * A sequence pattern matches contiguous events, so a match is the word "ABC". Each partition key
 * runs its own generator; between episodes it emits background events: mostly D or E, a lone A
 * now and then, often followed by a decoy B that is never followed by C, and stray Bs and Cs.
 * Every match comes from an episode:
 *
 *   A (cue), `gap` background events (D or E), A, B, then C with probability `completion`
 *   (otherwise D or E).
 *
 * A cue looks like a lone A and the word's "AB" like a decoy, so what predicts the match is the
 * cue `gap` + 2 events before the B: a model must look back `gap` + 3 symbols (Markov order
 * m >= gap + 3; at the word's A, m >= gap + 2) to forecast it, and with shorter contexts it only
 * sees a blend of episodes and decoys. `completion` sets how sure the best forecast can be, so
 * it decides which confidence thresholds give positive forecasts at all. The regimes differ in
 * both, so after a drift a model keeps its order or threshold at its peril: retraining the old
 * hyper-parameters on new data recovers less than re-optimising them.
 *
 * Keys take turns (round-robin), and each key's clock advances `stepMs` per event of its own,
 * so all keys share timestamps. Drift points are fractions of the whole stream; at each the
 * generator switches every key to the next regime. Same options, same stream.
 *
 * @module
 */

import type { StreamEvent } from "../protocol/messages.ts";
import { Random } from "../policies/search/random.ts";

/** How a regime generates events. Probabilities are per background event. */
export interface Regime {
  name: string;
  /** A phase's texture unit over A, B, C and O (a D or E), repeated `units` times. */
  unit: string;
  units: number;
  /** Probability that a phase's closing "AB" is completed by C. */
  completion: number;
  /** Probability that a background step starts a phase. */
  phaseRate: number;
  /** Probability of a lone A, which is followed by a decoy B or not, then two Ds or Es. */
  loneA: number;
  /** Probability that a lone A is followed by a decoy B (never followed by C). */
  decoyB: number;
  /** Probability of a stray B, and of a stray C. */
  strayB: number;
  strayC: number;
}

/** Events of a phase's texture, about; a phase adds its closing "AB(C)". */
const TEXTURE_LENGTH = 16;

/**
 * The built-in regimes:
 * - near: texture "AAAA..." (order 2 recognises it, order 3 sees "AAB" -> C), completion 0.9;
 * - far: texture "AOAO..." (order 4 recognises every window, "AOAB" -> C), completion 0.9;
 * - weak: the far texture with completion 0.35: no forecast reaches a threshold above 0.35.
 */
export const REGIMES: Readonly<Record<string, Regime>> = {
  runs: regime("runs", "A", 0.9, 0),
  alternating: regime("alternating", "AO", 0.9, 0.5),
  unreliable: regime("unreliable", "A", 0.35, 0),
};

/** Regimes used in turn when none are named: every drift switches to a different one. */
export const DEFAULT_REGIME_ORDER: readonly string[] = ["runs", "alternating", "unreliable"];

function regime(name: string, unit: string, completion: number, decoyB: number): Regime {
  return {
    name,
    unit,
    units: Math.ceil(TEXTURE_LENGTH / unit.length),
    completion,
    phaseRate: 0.006,
    loneA: 0.05,
    decoyB,
    strayB: 0.03,
    strayC: 0.03,
  };
}

/** What to generate. */
export interface DriftStreamOptions {
  /** Events in the whole stream, >= 1. */
  events: number;
  /** Partition keys "k0", "k1", ..., >= 1. */
  keys: number;
  /** Seed of the generator, a safe integer. */
  seed: number;
  /** Drift points as increasing fractions of the stream, each in (0, 1). */
  driftAt: readonly number[];
  /** One regime per segment: `driftAt.length + 1`, consecutive ones different. */
  regimes: readonly Regime[];
  /** Stream time between two events of the same key, ms. Default 1000. */
  stepMs?: number;
  /** Stream time of each key's first event, epoch ms. Default 0. */
  startMs?: number;
}

/** A generated event, with the index of the regime that produced it. */
export interface DriftEvent {
  event: StreamEvent;
  regime: number;
}

/** The stream, event by event, in timestamp order. */
export function* driftStream(options: DriftStreamOptions): Generator<DriftEvent> {
  validate(options);
  const { events, keys, seed, driftAt, regimes } = options;
  const stepMs = options.stepMs ?? 1000;
  const startMs = options.startMs ?? 0;
  const random = new Random(seed);
  const generators = Array.from({ length: keys }, () => new KeyGenerator(random));
  const switches = driftAt.map((fraction) => Math.floor(fraction * events));
  let segment = 0;
  for (let i = 0; i < events; i++) {
    while (segment < switches.length && i >= switches[segment]) segment++;
    const keyIndex = i % keys;
    const type = generators[keyIndex].next(regimes[segment]);
    const timestamp = startMs + Math.floor(i / keys) * stepMs;
    yield { event: { key: `k${keyIndex}`, timestamp, type, attributes: {} }, regime: segment };
  }
}

/** The CSV row `type,timestamp,key` of an event (timestamp in epoch ms). */
export function toCsvRow(event: StreamEvent): string {
  return `${event.type},${event.timestamp},${event.key}`;
}

/** The JSON line of an event: `{"type":..,"timestamp":..,"key":..}` (timestamp in epoch ms). */
export function toJsonLine(event: StreamEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.timestamp, key: event.key });
}

/** One key's generator: background events, or the rest of a phase or lone A under way. */
class KeyGenerator {
  readonly #random: Random;
  /** Symbols still to emit ("O" is a D or an E). */
  #script: string[] = [];

  constructor(random: Random) {
    this.#random = random;
  }

  next(regime: Regime): string {
    if (this.#script.length === 0) this.#script = this.#draw(regime);
    const symbol = this.#script.shift()!;
    return symbol === "O" ? (this.#random.next() < 0.5 ? "D" : "E") : symbol;
  }

  /**
   * The next background event, or the whole phase or lone A it starts. A lone A is followed by
   * two Ds or Es (after its decoy B, if any), so the background never holds "AA", "AOA" or "ABC":
   * those belong to phases.
   */
  #draw(regime: Regime): string[] {
    let u = this.#random.next();
    if ((u -= regime.phaseRate) < 0) {
      const ending = this.#random.next() < regime.completion ? "C" : "O";
      return [...regime.unit.repeat(regime.units), "A", "B", ending];
    }
    if ((u -= regime.loneA) < 0) {
      return this.#random.next() < regime.decoyB ? ["A", "B", "O", "O"] : ["A", "O", "O"];
    }
    if ((u -= regime.strayB) < 0) return ["B"];
    if ((u -= regime.strayC) < 0) return ["C"];
    return ["O"];
  }
}

function validate(options: DriftStreamOptions): void {
  const { events, keys, seed, driftAt, regimes } = options;
  if (!Number.isSafeInteger(events) || events < 1) {
    throw new RangeError(`events must be an integer >= 1: current value is ${events}`);
  }
  if (!Number.isSafeInteger(keys) || keys < 1) {
    throw new RangeError(`keys must be an integer >= 1: current value is ${keys}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer: current value is ${seed}`);
  }
  driftAt.forEach((fraction, i) => {
    const previous = i === 0 ? 0 : driftAt[i - 1];
    if (!(fraction > previous && fraction < 1)) {
      throw new RangeError(
        `driftAt must be increasing fractions in (0, 1): current value is ${driftAt.join(",")}`,
      );
    }
  });
  if (regimes.length !== driftAt.length + 1) {
    throw new RangeError(
      `regimes must number driftAt.length + 1 = ${driftAt.length + 1}: current value is ` +
        regimes.map((r) => r.name).join(","),
    );
  }
  regimes.forEach((r, i) => {
    if (i > 0 && r === regimes[i - 1]) {
      throw new RangeError(
        `each drift must switch to a different regime: '${r.name}' follows itself at drift ${i}`,
      );
    }
  });
  const { stepMs = 1000, startMs = 0 } = options;
  if (!Number.isSafeInteger(stepMs) || stepMs < 1) {
    throw new RangeError(`stepMs must be an integer >= 1: current value is ${stepMs}`);
  }
  if (!Number.isSafeInteger(startMs)) {
    throw new RangeError(`startMs must be a safe integer: current value is ${startMs}`);
  }
}
