import assert from "node:assert/strict";
import type { SymbolicDfa } from "../../../../models/cef/automaton/dfa.ts";
import { minimise } from "../../../../models/cef/automaton/minimise.ts";
import { seededRandom } from "../../../fixtures/seeded_random.ts";

function randomDfa(rnd: () => number, states: number, symbols: number): SymbolicDfa {
  return {
    symbolCount: symbols,
    stateCount: states,
    start: Math.floor(rnd() * states),
    delta: Int32Array.from({ length: states * symbols }, () => Math.floor(rnd() * states)),
    accepting: Uint8Array.from({ length: states }, () => (rnd() < 0.3 ? 1 : 0)),
  };
}

function accepts(dfa: SymbolicDfa, word: readonly number[]): boolean {
  let state = dfa.start;
  for (const symbol of word) state = dfa.delta[state * dfa.symbolCount + symbol];
  return dfa.accepting[state] === 1;
}

/** Table-filling: pairs of states told apart by some word. */
function distinguishable(dfa: SymbolicDfa): boolean[][] {
  const n = dfa.stateCount;
  const k = dfa.symbolCount;
  const apart = Array.from(
    { length: n },
    (_, p) => Array.from({ length: n }, (_, q) => dfa.accepting[p] !== dfa.accepting[q]),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        if (apart[p][q]) continue;
        for (let s = 0; s < k; s++) {
          if (apart[dfa.delta[p * k + s]][dfa.delta[q * k + s]]) {
            apart[p][q] = true;
            changed = true;
            break;
          }
        }
      }
    }
  }
  return apart;
}

Deno.test("minimisation keeps the language and leaves no two equivalent or unreachable states", () => {
  const rnd = seededRandom(7);
  let merged = 0;
  for (let round = 0; round < 200; round++) {
    const dfa = randomDfa(rnd, 2 + Math.floor(rnd() * 14), 1 + Math.floor(rnd() * 3));
    const minimal = minimise(dfa);
    merged += dfa.stateCount - minimal.stateCount;
    assert.equal(minimal.start, 0);
    for (let trial = 0; trial < 30; trial++) {
      const word = Array.from(
        { length: Math.floor(rnd() * 12) },
        () => Math.floor(rnd() * dfa.symbolCount),
      );
      assert.equal(accepts(minimal, word), accepts(dfa, word));
    }
    const apart = distinguishable(minimal);
    for (let p = 0; p < minimal.stateCount; p++) {
      for (let q = p + 1; q < minimal.stateCount; q++) {
        assert.ok(apart[p][q], `states ${p} and ${q} are equivalent`);
      }
    }
    const reached = new Set([0]);
    for (const state of reached) {
      for (let s = 0; s < minimal.symbolCount; s++) {
        reached.add(minimal.delta[state * minimal.symbolCount + s]);
      }
    }
    assert.equal(reached.size, minimal.stateCount);
  }
  assert.ok(merged > 200, `random automata must give minimisation work: merged ${merged}`);
});

Deno.test("a hand-made automaton with duplicate and unreachable states", () => {
  // Over one symbol: 0 -> 1 -> 2 -> 1 with 1 and 2 both accepting (so equal), 3 unreachable.
  const minimal = minimise({
    symbolCount: 1,
    stateCount: 4,
    start: 0,
    delta: Int32Array.from([1, 2, 1, 0]),
    accepting: Uint8Array.from([0, 1, 1, 0]),
  });
  assert.deepEqual(
    { states: minimal.stateCount, delta: [...minimal.delta], accepting: [...minimal.accepting] },
    { states: 2, delta: [1, 1], accepting: [0, 1] },
  );
});
