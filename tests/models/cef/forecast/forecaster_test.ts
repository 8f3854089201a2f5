import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import type { ForecastSettings } from "../../../../models/model.ts";
import { compilePattern } from "../../../../models/cef/compile.ts";
import type { ContextModel } from "../../../../models/cef/forecast/context_model.ts";
import {
  CefForecaster,
  type ForecasterOptions,
} from "../../../../models/cef/forecast/forecaster.ts";
import { probabilityWithin, shortestInterval } from "../../../../models/cef/forecast/interval.ts";
import { learnMarkov } from "../../../../models/cef/markov/learn.ts";
import { symbolSequences } from "../../../../models/cef/model.ts";
import { learnPst } from "../../../../models/cef/pst/learn.ts";
import type { PredictionSuffixTree } from "../../../../models/cef/pst/tree.ts";
import { Recognizer } from "../../../../models/cef/recognizer.ts";
import { Random } from "../../../../policies/search/random.ts";

const ABC = compilePattern(
  ";(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))",
  { declarations: "~(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))" },
);
const SETTINGS: ForecastSettings = { threshold: 0.5, horizon: 50, maxSpread: 50 };

/** Events of `types` for partition `key`, timestamps from `from`. */
function typed(types: string, key: string, from = 0): StreamEvent[] {
  return [...types].map((type, i) => ({ key, timestamp: from + i, type, attributes: {} }));
}

/** A stream over A, B, C, D where A is often followed by B and B by C. */
function abcStream(seed: number, length: number, keys: string[]): StreamEvent[] {
  const random = new Random(seed);
  const last = new Map<string, string>();
  const events: StreamEvent[] = [];
  for (let i = 0; i < length; i++) {
    const key = keys[random.below(keys.length)];
    const previous = last.get(key);
    const follow = previous === "A" ? "B" : previous === "B" ? "C" : null;
    const type = follow !== null && random.next() < 0.6 ? follow : "ABCD"[random.below(4)];
    last.set(key, type);
    events.push({ key, timestamp: i, type, attributes: {} });
  }
  return events;
}

const TRAINING = abcStream(1, 6_000, ["p", "q", "r"]);

function pst(order: number): PredictionSuffixTree {
  return learnPst(symbolSequences(ABC.alphabet, TRAINING), ABC.alphabet.symbolCount, {
    order,
    pMin: 0.001,
    gamma: 0.001,
    alpha: 0,
    r: 1.05,
  });
}

function forecaster(
  model: ContextModel,
  settings = SETTINGS,
  options: ForecasterOptions = {},
): CefForecaster {
  return new CefForecaster(ABC, model, settings, 7, options);
}

Deno.test("forecasts carry absolute per-partition counters and detections match the recognizer", () => {
  const f = forecaster(pst(2));
  const recognizer = new Recognizer(ABC);
  const outcomes = new Set<boolean>();
  for (const event of abcStream(2, 500, ["x", "y"])) {
    const step = f.process(event);
    const expected = recognizer.step(event);
    const forecast = step.forecast!;
    assert.equal(step.detection, expected.detection);
    assert.equal(forecast.detection, expected.detection);
    assert.equal(forecast.counter, expected.counter);
    assert.equal(forecast.key, event.key);
    assert.equal(forecast.timestamp, event.timestamp);
    assert.equal(forecast.modelVersion, 7);
    const interval = shortestInterval(f.distributionOf(event.key)!, SETTINGS.threshold);
    outcomes.add(forecast.positive);
    if (forecast.positive) {
      assert.deepEqual(
        [forecast.start, forecast.end, forecast.probability],
        [
          expected.counter + interval!.start,
          expected.counter + interval!.end,
          interval!.probability,
        ],
      );
    } else {
      assert.deepEqual([forecast.start, forecast.end], [
        expected.counter + 1,
        expected.counter + 50,
      ]);
    }
  }
});

Deno.test("without an interval within maxSpread the forecast is negative over [1, horizon]", () => {
  const f = forecaster(pst(2), { threshold: 0.99, horizon: 50, maxSpread: 3 });
  const { forecast } = f.process(typed("D", "k")[0]);
  assert.equal(forecast!.positive, false);
  assert.deepEqual([forecast!.start, forecast!.end], [2, 51]);
  const total = probabilityWithin(f.distributionOf("k")!, 50);
  assert.ok(Math.abs(forecast!.probability - total) < 1e-12);
});

Deno.test("classification mode forecasts a match within the next k events", () => {
  const f = forecaster(pst(2), { threshold: 0.3, horizon: 50, maxSpread: 50 }, {
    mode: { kind: "classification", within: 5 },
  });
  let positives = 0;
  for (const event of abcStream(3, 300, ["k"])) {
    const { forecast } = f.process(event);
    const p = probabilityWithin(f.distributionOf("k")!, 5);
    assert.deepEqual([forecast!.start - forecast!.counter, forecast!.end - forecast!.counter], [
      1,
      5,
    ]);
    assert.ok(Math.abs(forecast!.probability - p) < 1e-12);
    assert.equal(forecast!.positive, p >= 0.3);
    if (forecast!.positive) positives++;
  }
  assert.ok(positives > 0 && positives < 300, "both outcomes occur");
  assert.throws(
    () => forecaster(pst(1), SETTINGS, { mode: { kind: "classification", within: 51 } }),
    /within must be an integer in \[1, horizon = 50\]: current value is 51/,
  );
});

Deno.test("a swap in the middle of a partial match still detects it", () => {
  const before = forecaster(pst(1));
  for (const event of typed("DA", "v1")) before.process(event);
  for (const event of typed("AB", "v2")) before.process(event); // A, B of A B C
  const snapshot = JSON.parse(JSON.stringify(before.snapshot()));

  for (
    const after of [
      forecaster(pst(3)),
      forecaster(learnMarkov(ABC.dfa, symbolSequences(ABC.alphabet, TRAINING), 2)),
    ]
  ) {
    after.restore(snapshot);
    const step = after.process(typed("C", "v2")[0]);
    assert.equal(step.detection, true);
    assert.equal(step.forecast!.counter, 3);
    const other = after.process(typed("B", "v1")[0]);
    assert.equal(other.forecast!.counter, 3);
    assert.equal(after.process(typed("C", "v1")[0]).detection, true);
  }
});

Deno.test("after a swap, forecasts equal those of a forecaster that saw the whole stream", () => {
  const stream = abcStream(4, 400, ["a", "b", "c"]);
  const low = forecaster(pst(1));
  for (const event of stream.slice(0, 200)) low.process(event);
  const deep = pst(4);
  assert.ok(deep.nodes.some((node) => node.context.length >= 2), "the order-4 tree uses history");
  const swapped = forecaster(deep);
  swapped.restore(low.snapshot());
  const reference = forecaster(pst(4));
  for (const event of stream.slice(0, 200)) reference.process(event);
  for (const event of stream.slice(200)) {
    assert.deepEqual(swapped.process(event), reference.process(event));
  }
});

Deno.test("a snapshot of another automaton or a malformed one is rejected and changes nothing", () => {
  const f = forecaster(pst(2));
  f.process(typed("A", "k")[0]);
  const before = f.snapshot();
  const other = compilePattern(";(IsEventTypePredicate(A),IsEventTypePredicate(B))");
  assert.throws(
    () => f.restore({ ...before, source: other.source }),
    /snapshot belongs to another automaton/,
  );
  assert.throws(() => f.restore({ runs: 3 }), /snapshot is malformed/);
  assert.throws(
    () => f.restore({ ...before, runs: [{ key: "z", state: 99, counter: 1, recent: [] }] }),
    /run of partition "z": state must be an integer in \[0, 4\): current value is 99/,
  );
  assert.deepEqual(f.snapshot(), before);
});

Deno.test("an event lacking an attribute the pattern reads is refused and changes no run", () => {
  const pattern = compilePattern(";(GT(speed,5.0),GT(speed,5.0))");
  const events = [3, 7, 8, 2, 9, 9].map((speed, i) => ({
    key: "v",
    timestamp: i,
    type: "",
    attributes: { speed },
  }));
  const model = learnMarkov(pattern.dfa, symbolSequences(pattern.alphabet, events), 1);
  const clean = new CefForecaster(pattern, model, SETTINGS, 1);
  const refusing = new CefForecaster(pattern, model, SETTINGS, 1);
  const expected = events.map((event) => clean.process(event));
  const seen = events.flatMap((event, i) => {
    if (i !== 2) return [refusing.process(event)];
    const before = refusing.snapshot();
    assert.throws(
      () => refusing.process({ ...event, attributes: { heading: 1 } }),
      (error: unknown) =>
        error instanceof TypeError &&
        error.message ===
          "event lacks the number attribute 'speed' the pattern reads: current value is " +
            "undefined (attributes: heading)",
    );
    assert.deepEqual(refusing.snapshot(), before);
    return [refusing.process(event)];
  });
  assert.deepEqual(seen, expected);
});

Deno.test("Wayeb's convention: no forecast on a match, none before a PST run's m-th event", () => {
  const tree = pst(2);
  const own = forecaster(tree);
  const wayeb = forecaster(tree, SETTINGS, { convention: "wayeb", firstForecastAt: 2 });
  const steps = typed("ABCABCD", "p").map((e) => [own.process(e), wayeb.process(e)] as const);
  // Retune forecasts on every event; Wayeb's first event only builds the context, so the first
  // A B C completes no match there.
  assert.ok(steps.every(([r]) => r.forecast !== null));
  assert.deepEqual(steps.map(([r]) => r.detection), [
    false,
    false,
    true,
    false,
    false,
    true,
    false,
  ]);
  assert.deepEqual(steps.map(([, w]) => w.detection), [
    false,
    false,
    false,
    false,
    false,
    true,
    false,
  ]);
  assert.deepEqual(steps.map(([, w]) => w.forecast !== null), [
    false,
    true,
    true,
    true,
    true,
    false,
    true,
  ]);
});

Deno.test("one input partition's runs move alone: snapshotOf, drop and merge", () => {
  const stream = abcStream(7, 600, ["p", "q", "r"]);
  const whole = forecaster(pst(2));
  const split = forecaster(pst(2));
  const inP = (key: string) => key === "p";
  for (const event of stream.slice(0, 300)) {
    whole.process(event);
    split.process(event);
  }
  // p's runs leave through a JSON round trip (the changelog) and come back; q and r stay.
  const saved = JSON.parse(JSON.stringify(split.snapshotOf(inP)));
  assert.deepEqual(saved.runs.map((run: { key: string }) => run.key), ["p"]);
  split.drop(inP);
  assert.deepEqual(split.snapshot().runs.map((run) => run.key).sort(), ["q", "r"]);
  split.merge(saved);
  for (const event of stream.slice(300)) {
    assert.deepEqual(split.process(event), whole.process(event), `event at ${event.timestamp}`);
  }
  assert.throws(() => split.merge({ runs: "none" }), /snapshot is malformed/);
});
