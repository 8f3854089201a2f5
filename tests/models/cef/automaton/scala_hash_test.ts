import assert from "node:assert/strict";
import {
  compareImmutableHashSet,
  flatTableSlot,
  javaStringHash,
  productHash,
  seqHash,
  setHash,
} from "../../../../models/cef/automaton/scala_hash.ts";

// Expected values were printed by Scala 2.12.10 (Wayeb's version) for the same objects.
const atom = (name: string) =>
  productHash([productHash([seqHash([javaStringHash(name)])]), setHash([])]);

Deno.test("hash codes equal Java's and Scala 2.12's", () => {
  assert.equal(javaStringHash("hello"), 99162322);
  assert.equal(seqHash([javaStringHash("A")]), -1938668427); // List("A")
  assert.equal(setHash([]), 835491922); // Set.empty
  // case class At(p: P, r: Set[String]) over case class P(arguments: List[String])
  assert.equal(atom("A"), 83277517);
  assert.equal(atom("B"), -2063431152);
  // case class Cx(op: Enumeration#Value, in: List[Any]) with op NOT (id 2) and AND (id 0)
  assert.equal(productHash([2, seqHash([atom("A")])]), 558419541);
  assert.equal(productHash([0, seqHash([atom("A"), atom("B")])]), 519605112);
});

Deno.test("an immutable HashSet iterates in Scala's trie order", () => {
  const names = ["A", "B", "C", "x", "y", "z"];
  const sorted = [...names].sort((a, b) => compareImmutableHashSet(atom(a), atom(b)));
  assert.deepEqual(sorted, ["C", "B", "x", "z", "A", "y"]);
});

Deno.test("a small mutable HashSet puts each element in Scala's slot", () => {
  // Scala iterates this mutable set of List(atom) as A, B, C.
  assert.deepEqual(["A", "B", "C"].map((n) => flatTableSlot(seqHash([atom(n)]))), [9, 24, 27]);
});
