import assert from "node:assert/strict";
import type { StreamEvent } from "../../../core/events.ts";
import { compilePattern } from "../../../models/cef/compile.ts";
import { Recognizer } from "../../../models/cef/recognizer.ts";
import { MARITIME_SOURCE, readEvents } from "../../../models/sources/read.ts";

const EXAMPLES = new URL("../../../deploy/examples/", import.meta.url);
const ABC = ";(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))";

function typed(types: string, key = "k"): StreamEvent[] {
  return [...types].map((type, i) => ({ key, timestamp: i, type, attributes: {} }));
}

/**
 * An independent port-entering recogniser: per vessel, count consecutive positions outside the
 * 5 km circle since the last match; a position inside after at least two of them is a match.
 */
function portEntries(events: readonly StreamEvent[]): Map<string, number[]> {
  const [lon0, lat0, radius] = [-4.4753, 48.38273, 5];
  const rad = Math.PI / 180;
  const distance = (lon: number, lat: number) => {
    const h = Math.sin(((lat - lat0) * rad) / 2) ** 2 +
      Math.cos(lat0 * rad) * Math.cos(lat * rad) * Math.sin(((lon - lon0) * rad) / 2) ** 2;
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  };
  const outsideRun = new Map<string, number>();
  const counter = new Map<string, number>();
  const entries = new Map<string, number[]>();
  for (const e of events) {
    const n = (counter.get(e.key) ?? 0) + 1;
    counter.set(e.key, n);
    const inside = distance(e.attributes.lon as number, e.attributes.lat as number) < radius;
    const outside = outsideRun.get(e.key) ?? 0;
    if (inside && outside >= 2) {
      entries.set(e.key, [...(entries.get(e.key) ?? []), n]);
    }
    outsideRun.set(e.key, inside ? 0 : outside + 1);
  }
  return entries;
}

Deno.test({
  name: "on the maritime sample, port entries equal those of an independent recogniser",
  permissions: { read: [EXAMPLES] },
}, async () => {
  const dir = new URL("maritime/", EXAMPLES);
  const compiled = compilePattern(
    await Deno.readTextFile(new URL("port_entering.pattern", dir)),
    { declarations: await Deno.readTextFile(new URL("port_entering.declarations", dir)) },
  );
  const { events, rejected } = await readEvents(
    new URL("vessel_227592820.csv", dir).pathname,
    MARITIME_SOURCE,
  );
  assert.deepEqual(rejected, []);
  const recognizer = new Recognizer(compiled, { historyLength: 2 });
  const detections: number[] = [];
  for (const event of events) {
    const step = recognizer.step(event);
    if (step.detection) detections.push(step.counter);
  }
  const expected = portEntries(events).get("227592820") ?? [];
  assert.equal(detections.length, 506);
  assert.deepEqual(detections, expected);
});

Deno.test("each partition has its own run and 1-based counter", () => {
  const recognizer = new Recognizer(compilePattern(ABC));
  const stream = [
    ...typed("A", "x"),
    ...typed("A", "y"),
    ...typed("B", "x"),
    ...typed("C", "y"),
    ...typed("C", "x"),
  ];
  const steps = stream.map((e) => [e.key, recognizer.step(e)] as const);
  assert.deepEqual(
    steps.map(([key, s]) => [key, s.counter, s.detection]),
    [["x", 1, false], ["y", 1, false], ["x", 2, false], ["y", 2, false], ["x", 3, true]],
  );
  assert.equal(recognizer.runOf("x")!.counter, 3);
  assert.equal(recognizer.runOf("z"), undefined);
});

Deno.test("after a match the run restarts: matches do not overlap", () => {
  const recognizer = new Recognizer(
    compilePattern(";(IsEventTypePredicate(A),IsEventTypePredicate(A))"),
  );
  const detections = typed("AAAAA").map((e) => recognizer.step(e).detection);
  assert.deepEqual(detections, [false, true, false, true, false]);
});

Deno.test("recent symbols are kept up to the history length, most recent first", () => {
  const compiled = compilePattern(ABC);
  const recognizer = new Recognizer(compiled, { historyLength: 2 });
  const symbols = typed("ABC").map((e) => recognizer.step(e).symbol);
  const run = recognizer.runOf("k")!;
  assert.equal(run.known, 2);
  assert.deepEqual([run.recent(0), run.recent(1)], [symbols[2], symbols[1]]);
  assert.throws(
    () => new Recognizer(compiled, { historyLength: 33 }),
    /historyLength must be an integer in \[0, 32\]: current value is 33/,
  );
});

Deno.test("a snapshot taken mid-match, restored elsewhere, keeps detecting", () => {
  const compiled = compilePattern(ABC);
  const before = new Recognizer(compiled, { historyLength: 3 });
  for (const e of [...typed("AB", "x"), ...typed("CA", "y")]) before.step(e);
  const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
  assert.deepEqual(snapshot.runs.map((r: { key: string; counter: number }) => [r.key, r.counter]), [
    ["x", 2],
    ["y", 2],
  ]);

  const after = new Recognizer(compiled, { historyLength: 1 });
  after.restore(snapshot);
  const x = after.step(typed("C", "x")[0]);
  assert.deepEqual([x.counter, x.detection], [3, true], "x completes A,B,C across the swap");
  const y = after.step(typed("B", "y")[0]);
  assert.deepEqual([y.counter, y.detection], [3, false]);
  assert.equal(after.step(typed("C", "y")[0]).detection, true);
  assert.equal(after.runOf("x")!.known, 1, "history cut to the new length");

  const fresh = new Recognizer(compiled);
  assert.equal(fresh.step(typed("C", "x")[0]).detection, false, "without the snapshot: no match");
});

Deno.test("malformed or foreign snapshots are rejected and change nothing", () => {
  const compiled = compilePattern(ABC);
  const recognizer = new Recognizer(compiled);
  recognizer.step(typed("A")[0]);
  const good = recognizer.snapshot();
  assert.throws(() => recognizer.restore({ runs: "none" }), /snapshot is malformed/);
  assert.throws(
    () => recognizer.restore({ ...good, runs: [{ key: "k", state: 99, counter: 1, recent: [] }] }),
    new RegExp(
      `state must be an integer in \\[0, ${compiled.dfa.stateCount}\\): current value is 99`,
    ),
  );
  assert.throws(
    () => recognizer.restore(new Recognizer(compilePattern("IsEventTypePredicate(A)")).snapshot()),
    /snapshot belongs to another automaton/,
  );
  assert.equal(recognizer.runOf("k")!.counter, 1);
});
