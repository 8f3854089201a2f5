/**
 * The hash codes and set iteration orders of Scala 2.12 and Java that Wayeb's collections follow:
 * `String.hashCode`, `MurmurHash3` as case classes, lists and sets use it, the bit spreading of
 * `immutable.HashSet` (whose iteration follows it) and the slot of a small `mutable.HashSet`.
 * They let Retune reproduce an order Wayeb takes from a set (see `wayeb_start_history.ts`).
 *
 * @module
 */

/** Java's `String.hashCode`: 31-polynomial over UTF-16 code units, as a 32-bit int. */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mixLast(hash: number, data: number): number {
  let k = Math.imul(data, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  return hash ^ k;
}

function mix(hash: number, data: number): number {
  const h = rotl(mixLast(hash, data), 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalizeHash(hash: number, length: number): number {
  let h = hash ^ length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const SEQ_SEED = javaStringHash("Seq");
const SET_SEED = javaStringHash("Set");
const PRODUCT_SEED = 0xcafebabe | 0;

/** `MurmurHash3.seqHash`: the hash of a `List` of elements with these hash codes. */
export function seqHash(elements: readonly number[]): number {
  let h = SEQ_SEED;
  for (const element of elements) h = mix(h, element);
  return finalizeHash(h, elements.length);
}

/** `MurmurHash3.setHash`: the hash of a `Set` of elements with these hash codes. */
export function setHash(elements: readonly number[]): number {
  let a = 0;
  let b = 0;
  let c = 1;
  for (const element of elements) {
    a = (a + element) | 0;
    b ^= element;
    if (element !== 0) c = Math.imul(c, element);
  }
  let h = SET_SEED;
  h = mix(h, a);
  h = mix(h, b);
  h = mixLast(h, c);
  return finalizeHash(h, elements.length);
}

/** Scala 2.12's case-class hash (`MurmurHash3.productHash`): fields only, not the class name. */
export function productHash(fields: readonly number[]): number {
  let h = PRODUCT_SEED;
  for (const field of fields) h = mix(h, field);
  return finalizeHash(h, fields.length);
}

/** `immutable.HashSet`'s spreading of an element's hash code. */
export function improveImmutable(hash: number): number {
  let h = (hash + ~(hash << 9)) | 0;
  h ^= h >>> 14;
  h = (h + (h << 4)) | 0;
  return h ^ (h >>> 10);
}

/**
 * Orders hash codes as an `immutable.HashSet` (a hash trie, 5 bits a level from the lowest)
 * iterates its elements: by the improved hash's 5-bit groups, lowest group first.
 */
export function compareImmutableHashSet(a: number, b: number): number {
  const x = improveImmutable(a);
  const y = improveImmutable(b);
  for (let shift = 0; shift < 32; shift += 5) {
    const d = ((x >>> shift) & 31) - ((y >>> shift) & 31);
    if (d !== 0) return d;
  }
  return 0;
}

function byteswap32(v: number): number {
  let h = Math.imul(v, 0x9e3775cd);
  h = ((h & 0xff) << 24) | ((h & 0xff00) << 8) | ((h >>> 8) & 0xff00) | (h >>> 24);
  return Math.imul(h, 0x9e3775cd);
}

/** Slots of a new `mutable.HashSet` (a `FlatHashTable` with linear probing). */
export const FLAT_TABLE_SLOTS = 32;

/** The home slot of a hash code in a new `mutable.HashSet` (32 slots, size seed 5). */
export function flatTableSlot(hash: number): number {
  const bits = Math.log2(FLAT_TABLE_SLOTS);
  const improved = byteswap32(hash);
  const rotated = (improved >>> bits) | (improved << (32 - bits));
  return (rotated >>> (32 - bits)) & (FLAT_TABLE_SLOTS - 1);
}
