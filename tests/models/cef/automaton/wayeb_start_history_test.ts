import assert from "node:assert/strict";
import { compilePattern, disambiguate } from "../../../../models/cef/compile.ts";
import type { MintermAlphabet } from "../../../../models/cef/automaton/minterms.ts";
import {
  wayebArguments,
  wayebStartOf,
} from "../../../../models/cef/automaton/wayeb_start_history.ts";

const ABC = ";(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))";

function describe(pattern: string, order: number): string[] {
  const compiled = compilePattern(pattern, { compat: "wayeb" });
  const alphabet = compiled.alphabet as MintermAlphabet;
  return wayebStartOf(compiled, order).map((s) =>
    alphabet.describe(s).replaceAll("IsEventTypePredicate", "")
  );
}

Deno.test("Wayeb's start keeps the last word of its hash set, one order at a time", () => {
  // Wayeb 0.6 forecasts fcase 07 (this pattern, order 2) from a start that has read B∧C, then B.
  assert.deepEqual(describe(ABC, 2), ["!(A) & (B) & !(C)", "!(A) & (B) & (C)"]);
  // Order 1 keeps the most recent minterm of order 2: orders are raised one step at a time.
  assert.deepEqual(describe(ABC, 1), ["!(A) & (B) & !(C)"]);
  assert.equal(describe(ABC, 3).length, 3);
});

/** The predicates each minterm of the start's word makes true, oldest first. */
function trueNames(pattern: string, order: number): string[] {
  const compiled = compilePattern(pattern, { compat: "wayeb" });
  const alphabet = compiled.alphabet as MintermAlphabet;
  const names = alphabet.predicates.map((p) =>
    p.key.replace(/^IsEventTypePredicate\((.*)\)$/, "$1")
  );
  return wayebStartOf(compiled, order).toReversed().map((symbol) =>
    names.filter((_, i) => (alphabet.maskOf(symbol) >>> i) & 1).join("")
  );
}

const E = (type: string) => `IsEventTypePredicate(${type})`;

Deno.test("the start's word equals the one the real Wayeb 0.6 jar leaves", () => {
  // Recorded from Wayeb 0.6 (its disambiguated SDFA's start state, δ^-m), stable across runs.
  assert.deepEqual(trueNames(`;(${E("A")},${E("B")},${E("C")})`, 3), ["A", "BC", "B"]);
  // Two predicates: each word set has at most 4 members, so a small mutable set's slots decide.
  assert.deepEqual(trueNames(`;(${E("X")},${E("Y")})`, 2), ["Y", ""]);
  assert.deepEqual(trueNames(`;(${E("P")},${E("Q")},${E("R")},${E("S")})`, 2), ["QRS", "QR"]);
  assert.deepEqual(trueNames(`;(${E("K")},*(${E("L")}),${E("M")})`, 3), ["K", "KM", "M"]);
});

Deno.test("the disambiguated start carries the given history", () => {
  const { dfa } = compilePattern(ABC, { compat: "wayeb" });
  const refined = disambiguate(dfa, 2, undefined, [2, 6]);
  assert.deepEqual(refined.histories[refined.start], [2, 6]);
  assert.equal(refined.origin[refined.start], dfa.start);
  assert.deepEqual(disambiguate(dfa, 2).histories[0], []);
  assert.throws(() => disambiguate(dfa, 1, undefined, [2, 6]), /at most 1 symbols/);
  assert.throws(() => disambiguate(dfa, 2, undefined, [8]), /current value is \[8\]/);
});

Deno.test("predicate arguments are read back as Wayeb writes them", () => {
  assert.deepEqual(wayebArguments("IsEventTypePredicate(A)"), ["A"]);
  assert.deepEqual(wayebArguments("GT(speed,5.0)"), ["speed", "5.0"]);
  assert.deepEqual(wayebArguments('EQStr(type,"B C")'), ["type", "B C"]);
  assert.deepEqual(wayebArguments("TruePredicate()"), []);
});
