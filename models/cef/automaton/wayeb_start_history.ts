/**
 * The history Wayeb's disambiguation leaves on the start state. Wayeb 0.6
 * (`DisambiguatorMutant`) raises the order one step at a time; at step k it splits every state
 * q by its set Dq of length-k minterm words that end in q, taking words off the set's head into
 * new states: q itself keeps the word its set yields last. The start state is no exception, so
 * a Wayeb run starts as if that word had been read, and the full-order Markov chain counts and
 * forecasts the first events from there. Retune's own start has no history.
 *
 * Which word is last follows from Scala's hash codes, which are deterministic here: a minterm is
 * a case-class tree (`ComplexSentence(AND, List(...))` over `AtomicSentence(predicate, Set())`),
 * a predicate hashes its arguments (`IsEventTypePredicate(List("A"))`), and Dq is an
 * `immutable.HashSet` (more than 4 words, trie order) or, for up to 4 words, the order of a
 * small `mutable.HashSet`'s slots, which Wayeb fills in an order that depends on object
 * identities; when that order decides (two words compete for a slot), there is no
 * reproducible answer and the start keeps no history.
 *
 * @module
 */

import type { CompiledPattern, SymbolicDfa } from "./dfa.ts";
import { MintermAlphabet } from "./minterms.ts";
import {
  compareImmutableHashSet,
  FLAT_TABLE_SLOTS,
  flatTableSlot,
  javaStringHash,
  productHash,
  seqHash,
  setHash,
} from "./scala_hash.ts";

/** `BooleanOperator` ids in Wayeb (a Scala `Enumeration`, whose values hash to their id). */
const AND = 0;
const NOT = 2;
const EMPTY_SET = setHash([]);

/**
 * The arguments Wayeb gives a predicate, from Retune's canonical key `Name(a,b)`: numbers as
 * written with a dot (Java's `Double.toString` for the usual magnitudes), text unquoted.
 */
export function wayebArguments(key: string): string[] {
  const open = key.indexOf("(");
  const inner = key.slice(open + 1, -1);
  if (open < 0 || !key.endsWith(")")) {
    throw new RangeError(`predicate key must read Name(args): current value is ${key}`);
  }
  const args: string[] = [];
  let i = 0;
  while (i < inner.length) {
    if (inner[i] === '"') {
      let j = i + 1;
      while (j < inner.length && inner[j] !== '"') j += inner[j] === "\\" ? 2 : 1;
      args.push(JSON.parse(inner.slice(i, j + 1)));
      i = j + 2;
    } else {
      const comma = inner.indexOf(",", i);
      const end = comma < 0 ? inner.length : comma;
      args.push(inner.slice(i, end));
      i = end + 1;
    }
  }
  return args;
}

/** Hash of Wayeb's `AtomicSentence` of the predicate with canonical key `key`. */
export function atomicSentenceHash(key: string): number {
  const predicate = productHash([seqHash(wayebArguments(key).map(javaStringHash))]);
  return productHash([predicate, EMPTY_SET]);
}

/**
 * Hash of Wayeb's minterm sentence for each of the alphabet's minterms. Wayeb builds a minterm
 * by and-ing each predicate or its negation in the order its sentence set yields them (more
 * than 4 sentences with the TRUE and epsilon ones of the stream's skip loop: trie order, else
 * order of first use, which is Retune's numbering); with exclusive groups a negation implied
 * by a group member that holds is dropped and the conjuncts form one flat list.
 */
export function wayebMintermHashes(alphabet: MintermAlphabet): number[] {
  const { exclusive } = alphabet;
  const atoms = alphabet.predicates.map((p) => atomicSentenceHash(p.key));
  const order = atoms.map((_, i) => i);
  if (atoms.length + 2 > 4) order.sort((a, b) => compareImmutableHashSet(atoms[a], atoms[b]));
  const literal = (index: number, mask: number) =>
    (mask >>> index) & 1 ? atoms[index] : productHash([NOT, seqHash([atoms[index]])]);
  const hashes: number[] = [];
  for (let symbol = 0; symbol < alphabet.symbolCount; symbol++) {
    const mask = alphabet.maskOf(symbol);
    if (exclusive.length === 0) {
      let hash = literal(order[0], mask);
      for (const index of order.slice(1)) {
        hash = productHash([AND, seqHash([hash, literal(index, mask)])]);
      }
      hashes.push(hash);
      continue;
    }
    // Conjuncts so far, as predicate indices; a negation goes once a member of its group holds.
    let kept: number[] = [order[0]];
    for (const index of order.slice(1)) {
      kept = [...kept, index].filter((i) => (mask >>> i) & 1 || !impliedFalse(i, mask, exclusive));
    }
    const parts = kept.map((i) => literal(i, mask));
    hashes.push(parts.length === 1 ? parts[0] : productHash([AND, seqHash(parts)]));
  }
  return hashes;
}

function impliedFalse(index: number, mask: number, exclusive: readonly (readonly number[])[]) {
  return exclusive.some((group) =>
    group.includes(index) && group.some((other) => other !== index && (mask >>> other) & 1)
  );
}

/**
 * The start state's history after Wayeb disambiguates `dfa` to `order`, most recent minterm
 * first (shorter when no word of some length ends in the start), or undefined when Wayeb's own
 * choice depends on object identities. `sentenceHashes[s]` is minterm s's Wayeb hash.
 */
export function wayebStartHistory(
  dfa: SymbolicDfa,
  sentenceHashes: readonly number[],
  order: number,
): number[] | undefined {
  const k = dfa.symbolCount;
  // Wayeb's words are oldest first; Retune's histories most recent first.
  let word: number[] = [];
  for (let step = 1; step <= order; step++) {
    // States from which the current word leads to the start.
    const before: boolean[] = [];
    for (let state = 0; state < dfa.stateCount; state++) {
      let at = state;
      for (const symbol of word) at = dfa.delta[at * k + symbol];
      before.push(at === dfa.start);
    }
    const candidates: number[][] = [];
    for (let x = 0; x < k; x++) {
      let enters = false;
      for (let state = 0; state < dfa.stateCount && !enters; state++) {
        enters = before[dfa.delta[state * k + x]];
      }
      if (enters) candidates.push([x, ...word]);
    }
    if (candidates.length === 0) break;
    const hashes = candidates.map((w) => seqHash(w.map((s) => sentenceHashes[s])));
    const last = lastOfSet(hashes);
    if (last === undefined) return undefined;
    word = candidates[last];
  }
  return word.toReversed();
}

/** Wayeb's start history for `pattern`'s order-`order` chain; none when it is not determined. */
export function wayebStartOf(pattern: CompiledPattern, order: number): number[] {
  if (!(pattern.alphabet instanceof MintermAlphabet)) return [];
  return wayebStartHistory(pattern.dfa, wayebMintermHashes(pattern.alphabet), order) ?? [];
}

/** Index of the element a Scala set of elements with these hashes yields last, if determined. */
function lastOfSet(hashes: readonly number[]): number | undefined {
  const indices = hashes.map((_, i) => i);
  if (hashes.length > 4) {
    indices.sort((a, b) => compareImmutableHashSet(hashes[a], hashes[b]));
    const [a, b] = indices.slice(-2);
    return compareImmutableHashSet(hashes[a], hashes[b]) === 0 ? undefined : indices.at(-1);
  }
  // A small set keeps the order of the mutable.HashSet it was copied from: its slots, filled by
  // linear probing in an order Wayeb does not fix; every filling order must agree.
  let answer: number | undefined;
  for (const filling of permutations(indices)) {
    const slots = new Array<number | undefined>(FLAT_TABLE_SLOTS);
    for (const i of filling) {
      let slot = flatTableSlot(hashes[i]);
      while (slots[slot] !== undefined) slot = (slot + 1) % FLAT_TABLE_SLOTS;
      slots[slot] = i;
    }
    const last = slots.findLast((i) => i !== undefined);
    if (answer !== undefined && last !== answer) return undefined;
    answer = last;
  }
  return answer;
}

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])
  );
}
