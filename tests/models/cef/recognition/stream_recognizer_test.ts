import assert from "node:assert/strict";
import { StreamRecognizer } from "../../../../models/cef/recognition/stream_recognizer.ts";
import type { StreamRecognizerOptions } from "../../../../models/cef/recognition/stream_recognizer.ts";
import { parseWayebStream } from "../../../../models/sources/wayeb_stream.ts";

/** The 0-based rows where matches complete (a row twice for two matches) over a CSV stream. */
function completions(
  pattern: string,
  stream: string,
  options: StreamRecognizerOptions = {},
): number[] {
  const recognizer = new StreamRecognizer(pattern, options);
  const rows: number[] = [];
  parseWayebStream(stream.split(" ").join("\n"), "csv").forEach((row, i) => {
    if (row.kind === "reset") recognizer.reset(row.attributes);
    else for (let n = recognizer.step(row.event); n > 0; n--) rows.push(i);
  });
  return rows;
}

const AA = ";(IsEventTypePredicate(A),IsEventTypePredicate(A))";
const A_B = ";(IsEventTypePredicate(A),*(TruePredicate),IsEventTypePredicate(B))";

Deno.test("dsfa: non-overlapping by default, every matching suffix with overlap", () => {
  const stream = "A,1 A,2 A,3 A,4";
  assert.deepEqual(completions(AA, stream), [1, 3]);
  assert.deepEqual(completions(AA, stream, { countPolicy: "overlap" }), [1, 2, 3]);
  assert.deepEqual(completions(AA, stream, { countPolicy: "overlap", reset: true }), [1, 3]);
});

Deno.test("nsfa: one match per (start, end) pair, several on one event", () => {
  assert.deepEqual(completions(A_B, "A,1 A,2 B,3 B,4", { fsmModel: "nsfa" }), [2, 2, 3, 3]);
  assert.deepEqual(completions(A_B, "A,1 A,2 B,3 B,4"), [2]);
});

Deno.test("nsfa windows: N events first and last included, or last - first < N seconds", () => {
  const stream = "A,1 C,2 B,3 A,10 C,11 C,12 B,16";
  assert.deepEqual(completions(`${A_B}{window:3}`, stream, { fsmModel: "nsfa" }), [2]);
  assert.deepEqual(completions(`${A_B}{window:6}{windowType:time}`, stream, { fsmModel: "nsfa" }), [
    2,
  ]);
  assert.deepEqual(completions(`${A_B}{window:0}`, stream, { fsmModel: "nsfa" }), [2, 6, 6]);
});

Deno.test("dsfa windows: Retune enforces a count window; Wayeb compatibility ignores any", () => {
  const stream = "A,1 C,2 C,3 B,4";
  assert.deepEqual(completions(`${A_B}{window:3}`, stream), []);
  assert.deepEqual(completions(`${A_B}{window:3}`, stream, { compat: "wayeb" }), [3]);
  assert.throws(() => completions(`${A_B}{window:3}{windowType:time}`, stream), {
    message: "{windowType:time} needs runs per start event: recognise with --fsm-model nsfa",
  });
});

Deno.test("patterns joined by '&' are counted together; a reset touches only the matching one", () => {
  const pattern = `${AA} & ;(IsEventTypePredicate(A),IsEventTypePredicate(B))`;
  assert.deepEqual(completions(pattern, "A,1 A,2 B,3"), [1, 2]);
});

Deno.test("a RESET row drops partial matches; a pattern accepting nothing yet everything", () => {
  assert.deepEqual(completions(A_B, "A,1 X,-1 B,3 A,4 B,5"), [4]);
  assert.deepEqual(completions("*(IsEventTypePredicate(A))", "A,1 B,2"), [0, 1]);
});

Deno.test("partitions run apart; an event or RESET without the attribute is refused", () => {
  const recognizer = new StreamRecognizer(
    ";(LT(speed,5.0),GT(speed,10.0)){partitionBy:mmsi}",
  );
  const rows = parseWayebStream(
    ["1,1,0.0,0.0,1.0,0,0,a", "2,2,0.0,0.0,1.0,0,0,a", "3,1,0.0,0.0,12.0,0,0,a"].join("\n"),
    "maritime",
  );
  assert.deepEqual(rows.map((row) => row.kind === "event" ? recognizer.step(row.event) : -1), [
    0,
    0,
    1,
  ]);
  assert.throws(() => recognizer.reset({}), {
    message: "RESET lacks the attribute 'mmsi' the pattern is partitioned by (attributes: none)",
  });
});

Deno.test("nsra: a register holds the event its condition matched, per path", () => {
  const pattern = `;(TruePredicate["x"],EQAttrStr(EventType,"x"))`;
  assert.deepEqual(completions(pattern, "A,1 A,2 B,3 B,4 A,5", { fsmModel: "nsra" }), [1, 3]);
  const skip = `#(;(IsEventTypePredicate(A)["x"],EQAttrStr(EventType,"x")))`;
  assert.deepEqual(completions(skip, "A,1 B,2 A,3 A,4", { fsmModel: "nsra" }), [2, 3, 3]);
  assert.throws(
    () =>
      completions(
        `;(TruePredicate["x"],!(IsEventTypePredicate(B)),EQAttrStr(EventType,"x"))`,
        "A,1",
        { fsmModel: "nsra" },
      ),
    {
      message:
        "line 1, column 24: negation and skip-till-next cannot be used with registers (--fsm-model nsra)",
    },
  );
});

Deno.test("registers on the symbolic automata: refused, or empty under Wayeb compatibility", () => {
  const pattern = `;(TruePredicate["x"],EQAttrStr(EventType,"x"))`;
  assert.throws(() => completions(pattern, "A,1 A,2"), {
    message: 'line 1, column 22: EQAttrStr reads register "x": registers are honoured only by ' +
      "the register automaton (recognition with --fsm-model nsra)",
  });
  assert.deepEqual(completions(pattern, "A,1 A,2", { compat: "wayeb" }), []);
});

Deno.test("dsra: register runs with at most one match per event, and a window required", () => {
  const pattern = `;(IsEventTypePredicate(A)["x"],*(TruePredicate),EQAttrStr(EventType,"x"))`;
  const stream = "A,1 B,2 A,3 A,4 C,5 A,6 A,7 B,8 C,9 A,10";
  assert.deepEqual(completions(`${pattern}{window:4}`, stream, { fsmModel: "dsra" }), [
    2,
    3,
    5,
    6,
    9,
  ]);
  assert.deepEqual(completions(`${pattern}{window:4}`, stream, { fsmModel: "nsra" }).length, 8);
  assert.throws(() => completions(pattern, stream, { fsmModel: "dsra" }), {
    message: "the dsra model needs a window: add {window:N} to the pattern",
  });
});

Deno.test("nsra compat wayeb: a leading TruePredicate swallows the skip loop, as Wayeb 0.6 runs", () => {
  // Recorded from the real Wayeb 0.6 jar: one run lives `window` events, then the next event
  // starts the only new one, so pairs match only when they start at rows 0, 3, 6, ...
  const pattern = `;(TruePredicate["x"],EQAttrStr(EventType,"x")){window:2}`;
  const wayeb = { fsmModel: "nsra", compat: "wayeb" } as const;
  assert.deepEqual(completions(pattern, "A,1 A,2 A,3 A,4 A,5 A,6", wayeb), [1, 4]);
  assert.deepEqual(completions(pattern, "A,1 B,2 B,3 A,4 A,5", wayeb), [4]);
  assert.deepEqual(completions(pattern, "X,1 A,2 A,3", wayeb), []);
  // Retune's own meaning: every equal neighbour pair within the window.
  const plain = { fsmModel: "nsra" } as const;
  assert.deepEqual(completions(pattern, "A,1 A,2 A,3 A,4 A,5 A,6", plain), [1, 2, 3, 4, 5]);
});

Deno.test("nsra compat wayeb: other leading conditions keep a run at start, as the plain meaning", () => {
  // Wayeb 0.6 reports the same rows (1, 2, 5) for this case.
  const pattern = `;(IsEventTypePredicate(A)["x"],EQAttrStr(EventType,"x")){window:2}`;
  const stream = "A,1 A,2 A,3 B,4 A,5 A,6";
  assert.deepEqual(completions(pattern, stream, { fsmModel: "nsra", compat: "wayeb" }), [1, 2, 5]);
  assert.deepEqual(completions(pattern, stream, { fsmModel: "nsra" }), [1, 2, 5]);
});
