import assert from "node:assert/strict";
import { createLineParser } from "../../models/sources/line_parser.ts";
import { parseSourceSpec } from "../../models/sources/spec.ts";
import {
  driftStream,
  type DriftStreamOptions,
  REGIMES,
  toCsvRow,
  toJsonLine,
} from "../../scripts/drift_stream.ts";
import { generate, main, parseGenerateArgs } from "../../scripts/generate_drift.ts";

const { runs, alternating, unreliable } = REGIMES;

/** Per regime segment, each key's event types as one string, D and E written as O. */
function sequences(options: DriftStreamOptions): string[][] {
  const segments = options.regimes.map(() => new Map<string, string>());
  for (const { event, regime } of driftStream(options)) {
    const symbol = event.type === "D" || event.type === "E" ? "O" : event.type;
    const keys = segments[regime];
    keys.set(event.key, (keys.get(event.key) ?? "") + symbol);
  }
  return segments.map((keys) => [...keys.values()]);
}

/** Among the occurrences of `after` that have a next event, the share followed by `next`. */
function followRate(keys: readonly string[], after: string, next: string): number {
  let seen = 0;
  let followed = 0;
  for (const text of keys) {
    for (let i = text.indexOf(after); i !== -1; i = text.indexOf(after, i + 1)) {
      if (i + after.length >= text.length) break;
      seen++;
      if (text[i + after.length] === next) followed++;
    }
  }
  return seen === 0 ? NaN : followed / seen;
}

Deno.test("the same options give the same stream; another seed another", () => {
  const options = { events: 3000, keys: 2, seed: 5, driftAt: [0.5], regimes: [runs, alternating] };
  const first = [...driftStream(options)];
  assert.deepEqual([...driftStream(options)], first);
  assert.notDeepEqual([...driftStream({ ...options, seed: 6 })], first);
});

Deno.test("keys take turns and each key's clock advances one step per event", () => {
  const events = [...driftStream({
    events: 7,
    keys: 3,
    seed: 1,
    driftAt: [],
    regimes: [runs],
    stepMs: 500,
    startMs: 10_000,
  })].map(({ event }) => [event.key, event.timestamp]);
  assert.deepEqual(events, [
    ["k0", 10_000],
    ["k1", 10_000],
    ["k2", 10_000],
    ["k0", 10_500],
    ["k1", 10_500],
    ["k2", 10_500],
    ["k0", 11_000],
  ]);
});

Deno.test("the regime switches at each drift point", () => {
  const regimes = [...driftStream({
    events: 10,
    keys: 1,
    seed: 1,
    driftAt: [0.3, 0.75],
    regimes: [runs, alternating, unreliable],
  })].map((e) => e.regime);
  assert.deepEqual(regimes, [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
});

Deno.test("a gradual drift mixes the regimes across its transition, the new one's share rising", () => {
  const options = {
    events: 10_000,
    keys: 1,
    seed: 3,
    driftAt: [0.2],
    regimes: [runs, alternating],
    transition: 0.4,
  };
  const regimes = [...driftStream(options)].map((e) => e.regime);
  const share = (from: number, to: number) =>
    regimes.slice(from, to).filter((r) => r === 1).length / (to - from);
  assert.equal(share(0, 2_000), 0, "before the drift: the old regime only");
  assert.ok(share(2_000, 3_000) < 0.25, `early in the transition: ${share(2_000, 3_000)}`);
  assert.ok(share(5_000, 6_000) > 0.75, `late in the transition: ${share(5_000, 6_000)}`);
  assert.equal(share(6_000, 10_000), 1, "after the transition: the new regime only");
  const sudden = [...driftStream({ ...options, transition: 0 })].map((e) => e.regime);
  assert.equal(sudden.indexOf(1), 2_000);
});

Deno.test("the texture before a match changes at a drift from runs to alternating", () => {
  const [before, after] = sequences({
    events: 40_000,
    keys: 1,
    seed: 3,
    driftAt: [0.5],
    regimes: [runs, alternating],
  });
  // An A follows an A only inside a runs phase; "AOA" only inside an alternating phase.
  assert.ok(followRate(before, "A", "A") > 0.5, `runs: P(A | A) = ${followRate(before, "A", "A")}`);
  assert.equal(followRate(after, "A", "A"), 0);
  assert.equal(followRate(before, "AO", "A"), 0);
  assert.ok(
    followRate(after, "AO", "A") > 0.5,
    `alternating: P(A | AO) = ${followRate(after, "AO", "A")}`,
  );
  // Runs has no decoy "AB", so every AB closes a phase; alternating's decoys make "OAB"
  // ambiguous, and only "AOAB" (order 4) announces a C.
  assert.ok(
    followRate(before, "AB", "C") > 0.8,
    `runs: P(C | AB) = ${followRate(before, "AB", "C")}`,
  );
  assert.ok(followRate(after, "AOAB", "C") > 0.8);
  assert.ok(
    followRate(after, "OAB", "C") < 0.5,
    `alternating: P(C | OAB) = ${followRate(after, "OAB", "C")}`,
  );
});

Deno.test("phases complete less often after a drift from runs to unreliable", () => {
  const [before, after] = sequences({
    events: 40_000,
    keys: 2,
    seed: 4,
    driftAt: [0.5],
    regimes: [runs, unreliable],
  });
  const sure = followRate(before, "AAB", "C");
  const unsure = followRate(after, "AAB", "C");
  assert.ok(Math.abs(sure - 0.9) < 0.1, `runs: P(C | AAB) = ${sure}`);
  assert.ok(Math.abs(unsure - 0.35) < 0.12, `unreliable: P(C | AAB) = ${unsure}`);
});

Deno.test({
  name: "written rows parse back into the generated events, as CSV and as JSON lines",
  permissions: { write: true, read: true },
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const options = {
        events: 500,
        keys: 3,
        seed: 9,
        driftAt: [0.5],
        regimes: [runs, alternating],
      };
      const expected = [...driftStream(options)].map(({ event }) => event);
      for (const format of ["csv", "jsonl"] as const) {
        const out = `${dir}/stream.${format}`;
        const segments = await generate({ out, format, options });
        assert.deepEqual(segments.map((s) => [s.regime, s.firstEvent, s.events]), [
          ["runs", 0, 250],
          ["alternating", 250, 250],
        ]);
        const spec = parseSourceSpec({
          format,
          columns: format === "csv" ? ["type", "timestamp", "key"] : null,
          key: "key",
          timestamp: { field: "timestamp", unit: "ms" },
          type: "type",
        });
        const parse = createLineParser(spec);
        const lines = (await Deno.readTextFile(out)).split("\n");
        assert.equal(lines.pop(), "", "the file ends with a newline");
        const parsed = lines.map((line) => {
          const result = parse(line);
          if (!result.ok) throw new Error(`${line}: ${result.reason}`);
          return result.event;
        });
        assert.deepEqual(parsed, expected);
      }
      assert.equal(toCsvRow(expected[0]), `${expected[0].type},0,k0`);
      assert.equal(
        toJsonLine(expected[1]),
        `{"type":"${expected[1].type}","timestamp":0,"key":"k1"}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("matches are counted per regime segment", {
  permissions: { write: true, read: true },
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    const options = {
      events: 20_000,
      keys: 1,
      seed: 2,
      driftAt: [0.5],
      regimes: [runs, unreliable],
    };
    const segments = await generate({ out: `${dir}/s.csv`, format: "csv", options });
    const count = (keys: string[]) => keys.join("|").split("ABC").length - 1;
    assert.deepEqual(segments.map((s) => s.matches), sequences(options).map(count));
    assert.ok(segments[0].matches > 1.5 * segments[1].matches, JSON.stringify(segments));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad options are rejected up front, naming them", () => {
  const good = { events: 10, keys: 1, seed: 1, driftAt: [0.5], regimes: [runs, alternating] };
  const bad: [Partial<DriftStreamOptions>, RegExp][] = [
    [{ events: 0 }, /events must be an integer >= 1: current value is 0/],
    [{ keys: 1.5 }, /keys must be an integer >= 1: current value is 1\.5/],
    [{ seed: 0.5 }, /seed must be a safe integer: current value is 0\.5/],
    [{ driftAt: [1] }, /driftAt must be increasing fractions in \(0, 1\): current value is 1/],
    [{ driftAt: [0.6, 0.4], regimes: [runs, alternating, runs] }, /current value is 0\.6,0\.4/],
    [{ regimes: [runs] }, /regimes must number driftAt.length \+ 1 = 2: current value is runs/],
    [{ regimes: [runs, runs] }, /'runs' follows itself at drift 1/],
    [{ stepMs: 0 }, /stepMs must be an integer >= 1: current value is 0/],
    [{ transition: 1 }, /transition must be a number in \[0, 1\): current value is 1/],
    [
      { regimes: [runs, { ...alternating, unit: "AX" }] },
      /regime alternating: unit must be a word over A, B, C, O/,
    ],
    [
      { regimes: [runs, { ...alternating, completion: 2 }] },
      /regime alternating: completion must be in \[0, 1\]: current value is 2/,
    ],
    [
      { regimes: [runs, { ...alternating, loneA: 0.99 }] },
      /phaseRate \+ loneA \+ strayB \+ strayC must be <= 1/,
    ],
  ];
  for (const [change, message] of bad) {
    assert.throws(() => driftStream({ ...good, ...change }), { name: "RangeError", message });
  }
});

Deno.test("the command line: defaults, regimes in turn, and errors", async () => {
  const command = parseGenerateArgs([
    "--out",
    "x.csv",
    "--events",
    "100",
    "--drift-at",
    "0.2,0.4,0.6",
  ]);
  assert.ok(command !== null);
  assert.equal(command.format, "csv");
  assert.deepEqual(command.options.regimes.map((r) => r.name), [
    "runs",
    "alternating",
    "unreliable",
    "runs",
  ]);
  assert.deepEqual(
    [command.options.keys, command.options.seed, command.options.stepMs, command.options.startMs],
    [1, 1, 1000, 0],
  );
  const named = parseGenerateArgs(["--out=x", "--events=9", "--drift-at=", "--regimes=unreliable"]);
  assert.deepEqual(named?.options.regimes.map((r) => r.name), ["unreliable"]);
  assert.equal(parseGenerateArgs(["--help"]), null);
  assert.throws(() => parseGenerateArgs(["--events", "10"]), /--out must name the file to write/);
  assert.throws(
    () => parseGenerateArgs(["--out", "x", "--events", "ten"]),
    /--events must be a number: current value is 'ten'/,
  );
  assert.throws(
    () => parseGenerateArgs(["--out", "x", "--events", "10", "--regimes", "runs,calm"]),
    /--regimes must name regimes among runs, alternating, unreliable/,
  );
  assert.throws(
    () => parseGenerateArgs(["--out", "x", "--events", "10", "--format", "xml"]),
    /--format must be csv or jsonl: current value is xml/,
  );
  const error = console.error;
  console.error = () => {};
  try {
    assert.equal(await main(["--out", "x", "--events", "0"]), 2);
  } finally {
    console.error = error;
  }
});
