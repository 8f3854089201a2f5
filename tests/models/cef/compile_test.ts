import assert from "node:assert/strict";
import type { StreamEvent } from "../../../core/events.ts";
import { compilePattern } from "../../../models/cef/compile.ts";
import type { CompiledPattern } from "../../../models/cef/automaton/dfa.ts";
import { MintermAlphabet } from "../../../models/cef/automaton/minterms.ts";
import { seededRandom } from "../../fixtures/seeded_random.ts";

// An independent matcher: regular expressions over event conditions, decided by backtracking
// over every split of the stream, with the non-overlapping policy and count windows applied
// on top. It shares no code with the compiler.

type Cond =
  | { kind: "pred"; text: string; holds: (e: StreamEvent) => boolean }
  | { kind: "and" | "or"; operands: Cond[] }
  | { kind: "not"; operand: Cond };

type Re =
  | { kind: "cond"; cond: Cond }
  | { kind: "seq" | "alt"; parts: Re[] }
  | { kind: "star" | "neg"; body: Re };

const PREDICATES: Cond[] = [
  ...["A", "B", "C"].map((t): Cond => ({
    kind: "pred",
    text: `IsEventTypePredicate(${t})`,
    holds: (e) => e.type === t,
  })),
  { kind: "pred", text: "GT(x,0.5)", holds: (e) => (e.attributes.x as number) > 0.5 },
  { kind: "pred", text: "LT(x,0.25)", holds: (e) => (e.attributes.x as number) < 0.25 },
  { kind: "pred", text: "TruePredicate()", holds: () => true },
];

function condText(c: Cond): string {
  switch (c.kind) {
    case "pred":
      return c.text;
    case "and":
      return `^(${c.operands.map(condText).join(",")})`;
    case "or":
      return `|(${c.operands.map(condText).join(",")})`;
    case "not":
      return `-${condText(c.operand)}`;
  }
}

function reText(r: Re): string {
  switch (r.kind) {
    case "cond":
      return condText(r.cond);
    case "seq":
      return `;(${r.parts.map(reText).join(",")})`;
    case "alt":
      return `+(${r.parts.map(reText).join(",")})`;
    case "star":
      return `*(${reText(r.body)})`;
    case "neg":
      return `!(${reText(r.body)})`;
  }
}

function condHolds(c: Cond, e: StreamEvent): boolean {
  switch (c.kind) {
    case "pred":
      return c.holds(e);
    case "and":
      return c.operands.every((o) => condHolds(o, e));
    case "or":
      return c.operands.some((o) => condHolds(o, e));
    case "not":
      return !condHolds(c.operand, e);
  }
}

/** Does events[i..j) belong to the language of r? */
function matcher(events: readonly StreamEvent[]) {
  const memo = new Map<Re, Map<number, boolean>>();
  const n = events.length + 1;
  const matches = (r: Re, i: number, j: number): boolean => {
    let table = memo.get(r);
    if (table === undefined) memo.set(r, table = new Map());
    const known = table.get(i * n + j);
    if (known !== undefined) return known;
    const result = decide(r, i, j);
    table.set(i * n + j, result);
    return result;
  };
  const sequence = (parts: Re[], k: number, i: number, j: number): boolean => {
    if (k === parts.length) return i === j;
    for (let m = i; m <= j; m++) {
      if (matches(parts[k], i, m) && sequence(parts, k + 1, m, j)) return true;
    }
    return false;
  };
  const decide = (r: Re, i: number, j: number): boolean => {
    switch (r.kind) {
      case "cond":
        return j === i + 1 && condHolds(r.cond, events[i]);
      case "seq":
        return sequence(r.parts, 0, i, j);
      case "alt":
        return r.parts.some((p) => matches(p, i, j));
      case "star":
        if (i === j) return true;
        for (let m = i + 1; m <= j; m++) if (matches(r.body, i, m) && matches(r, m, j)) return true;
        return false;
      case "neg":
        return !matches(r.body, i, j);
    }
  };
  return matches;
}

/** 1-based positions where a match completes, restarting after each (non-overlapping). */
function bruteForceDetections(r: Re, events: readonly StreamEvent[], window: number | null) {
  const matches = matcher(events);
  const detections: number[] = [];
  let restart = 0;
  for (let j = 1; j <= events.length; j++) {
    const from = window === null ? restart : Math.max(restart, j - window);
    for (let i = from; i < j; i++) {
      if (matches(r, i, j)) {
        detections.push(j);
        restart = j;
        break;
      }
    }
  }
  return detections;
}

function dfaDetections(compiled: CompiledPattern, events: readonly StreamEvent[]): number[] {
  const { dfa, alphabet } = compiled;
  let state = dfa.start;
  const detections: number[] = [];
  events.forEach((e, i) => {
    state = dfa.delta[state * dfa.symbolCount + alphabet.symbolOf(e)];
    if (dfa.accepting[state] === 1) detections.push(i + 1);
  });
  return detections;
}

function randomCond(rnd: () => number, depth: number): Cond {
  const pick = rnd();
  if (depth === 0 || pick < 0.6) return PREDICATES[Math.floor(rnd() * PREDICATES.length)];
  if (pick < 0.75) return { kind: "not", operand: randomCond(rnd, depth - 1) };
  return {
    kind: pick < 0.9 ? "and" : "or",
    operands: [randomCond(rnd, depth - 1), randomCond(rnd, depth - 1)],
  };
}

function randomRe(rnd: () => number, depth: number): Re {
  const pick = rnd();
  if (depth === 0 || pick < 0.3) return { kind: "cond", cond: randomCond(rnd, 2) };
  if (pick < 0.55) {
    return {
      kind: "seq",
      parts: Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => randomRe(rnd, depth - 1)),
    };
  }
  if (pick < 0.75) {
    return {
      kind: "alt",
      parts: Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => randomRe(rnd, depth - 1)),
    };
  }
  return { kind: rnd() < 0.6 ? "star" : "neg", body: randomRe(rnd, depth - 1) };
}

function randomEvents(rnd: () => number, length: number): StreamEvent[] {
  return Array.from({ length }, (_, i) => ({
    key: "k",
    timestamp: i,
    type: "ABC"[Math.floor(rnd() * 3)],
    attributes: { x: rnd() },
  }));
}

const ONE_TYPE = "~(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))";

Deno.test("the DFA detects exactly what a brute-force matcher detects, on random patterns", () => {
  const rnd = seededRandom(20240611);
  let compared = 0;
  let rejectedEmpty = 0;
  let detections = 0;
  for (let round = 0; round < 300; round++) {
    const re = randomRe(rnd, 3);
    const window = rnd() < 0.35 ? 1 + Math.floor(rnd() * 6) : null;
    const text = reText(re) + (window === null ? "" : `{window:${window}}`);
    // Every event has one type, so declaring the types exclusive must not change detections.
    const declarations = rnd() < 0.5 ? ONE_TYPE : undefined;
    if (matcher([])(re, 0, 0)) {
      assert.throws(
        () => compilePattern(text, { declarations }),
        /matches the empty sequence/,
        text,
      );
      rejectedEmpty++;
      continue;
    }
    const compiled = compilePattern(text, { declarations });
    for (let trial = 0; trial < 3; trial++) {
      const events = randomEvents(rnd, 20);
      const expected = bruteForceDetections(re, events, window);
      assert.deepEqual(
        dfaDetections(compiled, events),
        expected,
        `${text} on ${events.map((e) => e.type).join("")}`,
      );
      detections += expected.length;
      compared++;
    }
  }
  // The generator must exercise both outcomes, or the comparison proves little.
  assert.ok(compared > 500, `compared ${compared}`);
  assert.ok(rejectedEmpty > 10, `rejected ${rejectedEmpty}`);
  assert.ok(detections > 1000, `detections ${detections}`);
});

Deno.test("complement is taken over the minterms, empty sequence included", () => {
  const compiled = compilePattern(
    ";(IsEventTypePredicate(A),!(IsEventTypePredicate(B)),IsEventTypePredicate(C))",
  );
  const run = (types: string) =>
    dfaDetections(
      compiled,
      [...types].map((type, i) => ({ key: "", timestamp: i, type, attributes: {} })),
    );
  assert.deepEqual(run("AC"), [2], "the empty sequence is not B");
  assert.deepEqual(run("ABC"), [], "B alone is excluded");
  assert.deepEqual(run("ABBC"), [4]);
  assert.deepEqual(run("AAC"), [3]);
});

Deno.test("count windows bound the events from a match's first to its last", () => {
  const compiled = compilePattern(
    ";(IsEventTypePredicate(A),*(TruePredicate()),IsEventTypePredicate(B)){window:4}",
  );
  const run = (types: string) =>
    dfaDetections(
      compiled,
      [...types].map((type, i) => ({ key: "", timestamp: i, type, attributes: {} })),
    );
  assert.deepEqual(run("ACCB"), [4]);
  assert.deepEqual(run("ACCCB"), []);
  assert.deepEqual(run("ACACCB"), [6], "the later A starts a run that fits");
});

const MARITIME = new URL("../../../deploy/examples/maritime/", import.meta.url);

Deno.test({
  name: "the port-entering pattern compiles to a small automaton over its minterms",
  permissions: { read: [MARITIME] },
}, async () => {
  const dir = MARITIME;
  const pattern = await Deno.readTextFile(new URL("port_entering.pattern", dir));
  const declarations = await Deno.readTextFile(new URL("port_entering.declarations", dir));
  const compiled = compilePattern(pattern, { declarations });
  assert.equal(compiled.partitionBy, "mmsi");
  assert.equal(compiled.order, 0);
  // within + 5 rings are exclusive (7 ways) times RESET or not; outside is "not within".
  assert.equal(compiled.alphabet.symbolCount, 14);
  assert.equal(compiled.dfa.stateCount, 4);
  assert.equal(compiled.dfa.accepting.reduce((a, b) => a + b, 0), 1);
  assert.equal(compilePattern(pattern).alphabet.symbolCount, 2);
});

const DEMO_ABC = new URL("../../../deploy/examples/demo_abc/", import.meta.url);

Deno.test({
  name: "the demo pattern compiles over one minterm per type plus 'none'",
  permissions: { read: [DEMO_ABC] },
}, async () => {
  const compiled = compilePattern(await Deno.readTextFile(new URL("abc.pattern", DEMO_ABC)), {
    declarations: await Deno.readTextFile(new URL("abc.declarations", DEMO_ABC)),
  });
  assert.equal(compiled.alphabet.symbolCount, 4);
  assert.equal(compiled.dfa.stateCount, 4, "start, seen A, seen A-B, match");
});

Deno.test("compile errors name the problem", () => {
  assert.throws(
    () => compilePattern("GT(x,1.0){window:10}{windowType:time}"),
    /windowType:time\} is not supported/,
  );
  assert.throws(() => compilePattern("*(GT(x,1.0))"), /matches the empty sequence/);
  assert.throws(
    () => compilePattern(";(GT(x,1.0),Foo(x))"),
    /line 1, column 13: unknown predicate 'Foo'; known predicates: BT, /,
  );
  assert.throws(
    () => compilePattern("GT(x,1.0)", { declarations: "\n+(Bar())" }),
    /line 2, column 3: unknown predicate 'Bar'/,
  );
  assert.throws(
    () =>
      compilePattern("GT(x,1.0)", {
        declarations: "~(GT(x,1.0),OutsideCirclePredicate(1.0,1.0,1.0))",
      }),
    /line 1, column 13: exclusive groups may only list plain predicates/,
  );
  assert.throws(
    () => compilePattern("GT(x,1.0)", { maxStates: 0 }),
    /maxStates must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => compilePattern(";(GT(x,1.0),*(TruePredicate()),LT(x,0.0)){window:50}", { maxStates: 10 }),
    /more than maxStates states: current value is 10 \(window 50/,
  );
});

Deno.test("the alphabet knows the attributes its predicates read and refuses events without them", () => {
  const { alphabet } = compilePattern(
    ";(WithinCirclePredicate(-4.4,48.3,5.0),GT(speed,5.0),EQStr(flag,on),IsEventTypePredicate(A))",
  );
  assert.ok(alphabet instanceof MintermAlphabet);
  assert.deepEqual(alphabet.needs, [
    { name: "lon", type: "number" },
    { name: "lat", type: "number" },
    { name: "speed", type: "number" },
    { name: "flag", type: "string" },
  ]);
  const good = {
    key: "",
    timestamp: 0,
    type: "A",
    attributes: { lon: 1, lat: 2, speed: 3, flag: "on" },
  };
  assert.equal(alphabet.refusal(good), undefined);
  assert.match(
    alphabet.refusal({ ...good, attributes: { lon: 1, lat: 2, flag: "on" } })!,
    /lacks the number attribute 'speed'/,
  );
  const typesOnly = compilePattern(";(IsEventTypePredicate(A),IsEventTypePredicate(B))");
  assert.equal(typesOnly.alphabet.refusal({ ...good, attributes: {} }), undefined);
});

Deno.test("an exclusive group member used nowhere else: in Retune's alphabet, not in Wayeb's", () => {
  const pattern = ";(IsEventTypePredicate(A),IsEventTypePredicate(B))";
  const declarations = "~(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(D))";
  // A, B, D or none of them; under Wayeb compatibility A, B or neither (D is one of "neither").
  assert.equal(compilePattern(pattern, { declarations }).alphabet.symbolCount, 4);
  assert.equal(
    compilePattern(pattern, { declarations, compat: "wayeb" }).alphabet.symbolCount,
    3,
  );
});
