import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import { MintermAlphabet } from "../../../../models/cef/automaton/minterms.ts";
import { compilePattern } from "../../../../models/cef/compile.ts";

/** Predicate i holds when attribute `p<i>` is 1. */
function flags(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: `P${i}`,
    test: (e: StreamEvent) => e.attributes[`p${i}`] === 1,
  }));
}

function eventWith(...trueIndices: number[]): StreamEvent {
  const attributes: Record<string, number> = {};
  for (const i of trueIndices) attributes[`p${i}`] = 1;
  return { key: "", timestamp: 0, type: "", attributes };
}

Deno.test("without groups every truth assignment is a minterm", () => {
  const alphabet = new MintermAlphabet(flags(3));
  assert.equal(alphabet.symbolCount, 8);
  const symbol = alphabet.symbolOf(eventWith(0, 2));
  assert.equal(alphabet.maskOf(symbol), 0b101);
  assert.equal(alphabet.describe(symbol), "P0 & !P1 & P2");
  assert.equal(new MintermAlphabet([]).describe(0), "TRUE");
});

Deno.test("exclusive groups prune minterms where two members are true", () => {
  // P0..P2 exclusive (4 ways) times P3 free (2 ways).
  const alphabet = new MintermAlphabet(flags(4), [[0, 1, 2]]);
  assert.equal(alphabet.symbolCount, 8);
  const masks = Array.from({ length: alphabet.symbolCount }, (_, s) => alphabet.maskOf(s));
  assert.deepEqual(masks, [0b0000, 0b0001, 0b0010, 0b0100, 0b1000, 0b1001, 0b1010, 0b1100]);
  // Overlapping groups {0,1} and {1,2}: 0 and 2 may hold together.
  const overlapping = new MintermAlphabet(flags(3), [[0, 1], [1, 2]]);
  assert.deepEqual(
    Array.from({ length: overlapping.symbolCount }, (_, s) => overlapping.maskOf(s)),
    [0b000, 0b001, 0b010, 0b100, 0b101],
  );
});

Deno.test("an event breaking a group maps to the minterm keeping the group's first true member", () => {
  const alphabet = new MintermAlphabet(flags(4), [[0, 1, 2]]);
  assert.equal(alphabet.maskOf(alphabet.symbolOf(eventWith(1, 2, 3))), 0b1010);
  assert.equal(alphabet.maskOf(alphabet.symbolOf(eventWith(0, 1, 2))), 0b0001);
});

Deno.test("guards become minterm sets", () => {
  const alphabet = new MintermAlphabet(flags(2));
  const set = alphabet.symbolsWhere({
    kind: "or",
    operands: [
      { kind: "literal", index: 0, positive: false },
      {
        kind: "and",
        operands: [{ kind: "literal", index: 1, positive: true }, {
          kind: "constant",
          value: true,
        }],
      },
    ],
  });
  // masks 00, 01, 10, 11: !P0 | P1 holds for 00, 10, 11.
  assert.deepEqual([...set], [1, 0, 1, 1]);
});

Deno.test("bad alphabets are rejected", () => {
  assert.throws(
    () => new MintermAlphabet(flags(21)),
    /at most 20 distinct predicates: current value is 21/,
  );
  assert.throws(
    () => new MintermAlphabet(flags(2), [[0, 2]]),
    /predicate index in \[0, 2\): current value is 2/,
  );
  assert.throws(
    () => new MintermAlphabet(flags(13)),
    /at most 4096 minterms: current value is 8192/,
  );
  assert.throws(
    () => new MintermAlphabet(flags(2)).maskOf(4),
    /symbol must be an integer in \[0, 4\): current value is 4/,
  );
});

Deno.test("complements and TruePredicate add no predicates of their own", () => {
  const circle = "-4.47530,48.38273,5.0";
  const compiled = compilePattern(
    `;(OutsideCirclePredicate(${circle}),WithinCirclePredicate(${circle}),TruePredicate())`,
  );
  assert.equal(compiled.alphabet.symbolCount, 2, "only within-or-not: no 'both' and no 'neither'");
  assert.equal(compiled.alphabet.describe(0), "!WithinCirclePredicate(-4.4753,48.38273,5.0)");
  const types = compilePattern(";(IsEventTypePredicate(A),IsEventTypePredicate(B))", {
    declarations:
      "+(IsEventTypePredicate(C))\n~(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))",
  });
  assert.equal(types.alphabet.symbolCount, 4);
});
