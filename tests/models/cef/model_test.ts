import assert from "node:assert/strict";
import type { HyperParameters } from "../../../core/hyper_parameters.ts";
import type { StreamEvent } from "../../../core/events.ts";
import type { ForecastSettings } from "../../../models/model.ts";
import { CEF_ARTIFACT_FORMAT, parseCefArtifact } from "../../../models/cef/artifact.ts";
import { CefModel, symbolSequences } from "../../../models/cef/model.ts";
import { Recognizer } from "../../../models/cef/recognizer.ts";
import { MARITIME_SOURCE, readEvents } from "../../../models/sources/read.ts";

const MARITIME = new URL("../../../deploy/examples/maritime/", import.meta.url);
const PARAMS: HyperParameters = {
  order: 2,
  threshold: 0.5,
  pMin: 0.001,
  gamma: 0.001,
  alpha: 0,
  r: 1.05,
};
const SETTINGS: ForecastSettings = { threshold: 0.5, horizon: 200, maxSpread: 200 };

async function maritime(kind: "pst" | "markov") {
  const model = new CefModel({
    kind,
    pattern: await Deno.readTextFile(new URL("port_entering.pattern", MARITIME)),
    declarations: await Deno.readTextFile(new URL("port_entering.declarations", MARITIME)),
  });
  const { events } = await readEvents(
    new URL("vessel_227592820.csv", MARITIME).pathname,
    MARITIME_SOURCE,
  );
  return { model, train: events.slice(0, 8_000), test: events.slice(8_000, 12_000) };
}

function matchesOf(model: CefModel, events: readonly StreamEvent[]): number {
  const recognizer = new Recognizer(model.compiled);
  return events.filter((event) => recognizer.step(event).detection).length;
}

for (const kind of ["pst", "markov"] as const) {
  Deno.test({
    name: `${kind}: train then test scores every forecast of the test set`,
    permissions: { read: [MARITIME] },
  }, async () => {
    const { model, train, test } = await maritime(kind);
    const artifact = await model.train(train, PARAMS);
    assert.equal(artifact.format, CEF_ARTIFACT_FORMAT);
    assert.equal(artifact.kind, kind);
    assert.deepEqual(artifact.trainedOn, { events: 8_000, partitions: 1, refused: 0 });
    const metrics = await model.test(artifact, test, SETTINGS);
    assert.equal(metrics.events, 4_000);
    assert.equal(metrics.forecasts, 4_000);
    assert.equal(metrics.tp + metrics.tn + metrics.fp + metrics.fn, 4_000);
    assert.equal(metrics.matches, matchesOf(model, test));
    assert.ok(metrics.matches > 0);
    assert.ok(metrics.tp > 0, "some positive forecast came true");
    assert.ok(metrics.spread >= 0 && metrics.spread <= SETTINGS.maxSpread);
    assert.ok(metrics.distance >= 1);
  });
}

for (
  const [kind, convention] of [["pst", "retune"], ["pst", "wayeb"], ["markov", "retune"]] as const
) {
  Deno.test({
    name: `${kind} (${convention}): testThresholds scores what test scores at each threshold`,
    permissions: { read: [MARITIME] },
  }, async () => {
    const { train, test } = await maritime(kind);
    const model = new CefModel({
      kind,
      pattern: await Deno.readTextFile(new URL("port_entering.pattern", MARITIME)),
      declarations: await Deno.readTextFile(new URL("port_entering.declarations", MARITIME)),
      forecast: { convention },
    });
    const artifact = await model.train(train, { ...PARAMS, order: 3 });
    const thresholds = [0.1, 0.3, 0.5, 0.5, 0.7, 0.9];
    const shared = await model.testThresholds(artifact, test, SETTINGS, thresholds);
    assert.equal(shared.length, thresholds.length);
    for (const [i, threshold] of thresholds.entries()) {
      assert.deepEqual(
        shared[i],
        await model.test(artifact, test, { ...SETTINGS, threshold }),
        `threshold ${threshold}`,
      );
    }
    // The thresholds make a difference here, so the equality above is not one number repeated.
    assert.notDeepEqual(shared[0], shared.at(-1));
  });
}

Deno.test({
  name: "an artifact survives JSON and forecasts exactly as before",
  permissions: { read: [MARITIME] },
}, async () => {
  const { model, train, test } = await maritime("pst");
  const artifact = await model.train(train, { ...PARAMS, order: 3 });
  const copy = JSON.parse(JSON.stringify(artifact));
  const direct = await model.load(artifact, SETTINGS, 4);
  const revived = await model.load(copy, SETTINGS, 4);
  assert.equal(revived.version, 4);
  for (const event of test.slice(0, 1_000)) {
    assert.deepEqual(revived.process(event), direct.process(event));
  }
});

Deno.test("artifacts of another format, version or shape are rejected with the reason", async () => {
  const model = new CefModel({
    kind: "pst",
    pattern: ";(IsEventTypePredicate(A),IsEventTypePredicate(B))",
  });
  const events = [..."ABABBA"].map((type, i) => ({ key: "k", timestamp: i, type, attributes: {} }));
  const artifact = await model.train(events, PARAMS);
  await assert.rejects(
    () => model.load({ ...artifact, format: "wayeb-spst/1" }, SETTINGS, 1),
    /not a native CEF model artifact: format must be retune.cef\/1: current value is "wayeb-spst\/1"/,
  );
  await assert.rejects(
    () => model.load({ ...artifact, format: "retune.cef/2" }, SETTINGS, 1),
    /unsupported CEF artifact version: this build reads retune.cef\/1: current value is retune.cef\/2/,
  );
  await assert.rejects(
    () => model.load({ ...artifact, tree: { order: 2 } }, SETTINGS, 1),
    /CEF artifact is malformed/,
  );
  await assert.rejects(
    () => model.load({ ...artifact, symbolCount: artifact.symbolCount + 1 }, SETTINGS, 1),
    /automaton must match this build's/,
  );
  const other = new CefModel({
    kind: "pst",
    pattern: ";(IsEventTypePredicate(B),IsEventTypePredicate(A))",
  });
  await assert.rejects(() => other.load(artifact, SETTINGS, 1), /trained for another pattern/);
  assert.throws(() => parseCefArtifact(null), /current value is undefined/);
});

Deno.test("training input is checked, naming the value", async () => {
  const model = new CefModel({
    kind: "pst",
    pattern: ";(IsEventTypePredicate(A),IsEventTypePredicate(B))",
  });
  const events = [{ key: "k", timestamp: 0, type: "A", attributes: {} }];
  await assert.rejects(() => model.train([], PARAMS), /at least one event/);
  await assert.rejects(
    () => model.train(events, { ...PARAMS, gamma: 0.5 }),
    /gamma \* symbolCount/,
  );
  await assert.rejects(
    () => model.train(events, { ...PARAMS, threshold: 2 }),
    /threshold must be in \[0, 1\]: current value is 2/,
  );
  await assert.rejects(
    () => model.train(events, { ...PARAMS, order: 6 }),
    /order must be an integer in \[1, 5\]: current value is 6/,
  );
  assert.throws(
    () => new CefModel({ kind: "lstm" as "pst", pattern: ";(IsEventTypePredicate(A))" }),
    /kind must be "pst" or "markov": current value is lstm/,
  );
});

Deno.test("symbols are grouped per partition key, in stream order", async () => {
  const model = new CefModel({
    kind: "markov",
    pattern: ";(IsEventTypePredicate(A),IsEventTypePredicate(B))",
  });
  const events = [..."AABB"].map((type, i) => ({
    key: i % 2 === 0 ? "even" : "odd",
    timestamp: i,
    type,
    attributes: {},
  }));
  // Per key: even = A B, odd = A B: each completes a match; interleaved it would be A A B B.
  const { alphabet } = model.compiled;
  const [a, b] = ["A", "B"].map((type) =>
    alphabet.symbolOf({ key: "", timestamp: 0, type, attributes: {} })
  );
  assert.deepEqual(symbolSequences(alphabet, events).map((s) => Array.from(s)), [[a, b], [a, b]]);
  const artifact = await model.train(events, { ...PARAMS, order: 1 });
  assert.deepEqual(artifact.trainedOn, { events: 4, partitions: 2, refused: 0 });
  const metrics = await model.test(artifact, events, SETTINGS);
  assert.equal(metrics.matches, 2);
});

Deno.test("training and testing leave out events the pattern cannot read, and count them", async () => {
  const model = new CefModel({ kind: "markov", pattern: ";(GT(speed,5.0),GT(speed,5.0))" });
  const speeds = [3, 7, 8, 2, 9, 9, 1, 6, 7];
  const events = speeds.map((speed, i): StreamEvent => ({
    key: "v",
    timestamp: i,
    type: "",
    attributes: { [i % 4 === 3 ? "heading" : "speed"]: speed },
  }));
  const readable = events.filter((event) => "speed" in event.attributes);
  const artifact = await model.train(events, { ...PARAMS, order: 1 });
  assert.deepEqual(artifact.trainedOn, { events: readable.length, partitions: 1, refused: 2 });
  const clean = await model.train(readable, { ...PARAMS, order: 1 });
  assert.deepEqual(
    { ...artifact, trainedOn: undefined },
    { ...clean, trainedOn: undefined },
    "refused events leave no trace in what is learned",
  );
  assert.deepEqual(
    await model.test(artifact, events, SETTINGS),
    await model.test(artifact, readable, SETTINGS),
  );
  await assert.rejects(
    () => model.train(events.filter((e) => !("speed" in e.attributes)), PARAMS),
    /dataset must hold an event the pattern can read: all 2 are refused, the first because event lacks the number attribute 'speed'/,
  );
});

Deno.test("under compat: wayeb a Markov chain counts its first events from Wayeb's start", async () => {
  const pattern = ";(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))";
  const events = [..."ABCAB"].map((type, i): StreamEvent => ({
    key: "",
    timestamp: i,
    type,
    attributes: {},
  }));
  const rowOfStart = async (model: CefModel) => {
    const artifact = parseCefArtifact(await model.train(events, PARAMS));
    if (artifact.kind !== "markov") throw new Error("expected a Markov artifact");
    return artifact.matrix.rows.find((row) => row.origin === model.compiled.dfa.start)!.history;
  };
  // Wayeb's start has read B∧C, then B (symbols 6 and 2: bit i is predicate i, A B C).
  const wayeb = new CefModel({ kind: "markov", pattern, compat: "wayeb" });
  assert.deepEqual(await rowOfStart(wayeb), [2, 6]);
  const own = new CefModel({
    kind: "markov",
    pattern,
    forecast: { convention: "wayeb" },
  });
  assert.deepEqual(await rowOfStart(own), []);
  // An artifact trained with Retune's own start still loads under the Wayeb convention.
  await own.load(await own.train(events, PARAMS), SETTINGS, 0);
});
