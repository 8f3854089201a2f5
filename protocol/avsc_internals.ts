/**
 * Every place Retune reaches into avsc's internals, gathered here because avsc's public API cannot
 * do these jobs; `tests/protocol/avsc_internals_test.ts` pins the avsc version and fails when the
 * members used here change. Check them again before moving avsc in `deno.json`.
 *
 * - Bounded blocks: avsc trusts the item count at the start of each array or map block, so garbage
 *   that claims 2^40 items keeps the decoder busy for hours. Every array item and map entry of
 *   Retune's schemas takes at least one byte, so these readers refuse a block with more items than
 *   there are bytes left. They override the types' `_read(tap)` and use its `Tap`.
 * - Interned strings: a stream repeats a few short strings (event keys, types) in every record;
 *   avsc decodes each through Buffer's `utf8Slice`, a call into the runtime per string in Deno,
 *   and hands out a fresh copy every time, which every map keyed by it then hashes again. Short
 *   ASCII strings are looked up in a table first and the one copy already decoded is returned;
 *   anything else, and a miss, goes through avsc's `tap.readString()`.
 * - Plain records: avsc decodes a record as an instance of a class it generates per record type
 *   (`recordConstructor`); giving those classes `Object.prototype` makes decoded records plain
 *   objects, deep-equal to literals of the TS types, without copying each one.
 *
 * @module
 */

import avro from "avsc";

/** The part of avsc's internal reader (`Tap`) that array and map readers use. */
interface Tap {
  buf: Uint8Array;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
}

/** A compiled type as avsc's readers see it. */
type Readable = avro.Type & { _read(tap: Tap): unknown };

/** Retune's avsc `typeHook`: interned strings (`internedStrings`), then `boundedBlocks`. */
export function retuneTypes(schema: avro.Schema, opts: object): avro.Type | undefined {
  return internedStrings(schema) ?? boundedBlocks(schema, opts);
}

/** An avsc `typeHook` that compiles strings with a reader interning short ASCII ones. */
export function internedStrings(schema: avro.Schema): avro.Type | undefined {
  const plain = schema === "string" ||
    (typeof schema === "object" && !Array.isArray(schema) && "type" in schema &&
      schema.type === "string" && !("logicalType" in schema));
  return plain ? new InterningStringType() : undefined;
}

/** An avsc `typeHook` that compiles arrays and maps with bounded readers. */
export function boundedBlocks(schema: avro.Schema, opts: object): avro.Type | undefined {
  if (typeof schema !== "object" || Array.isArray(schema) || !("type" in schema)) return undefined;
  if (schema.type === "array") return new BoundedArrayType(schema, opts);
  if (schema.type === "map") return new BoundedMapType(schema, opts);
  return undefined;
}

class BoundedArrayType extends avro.types.ArrayType {
  _read(tap: Tap): unknown[] {
    const items = this.itemsType as Readable;
    const values: unknown[] = [];
    for (let n = blockSize(tap, values.length); n > 0; n = blockSize(tap, values.length)) {
      while (n--) values.push(items._read(tap));
    }
    return values;
  }
}

class BoundedMapType extends avro.types.MapType {
  _read(tap: Tap): Record<string, unknown> {
    const values = this.valuesType as Readable;
    const map: Record<string, unknown> = {};
    let count = 0;
    for (let n = blockSize(tap, count); n > 0; n = blockSize(tap, count)) {
      count += n;
      while (n--) map[tap.readString()] = values._read(tap);
    }
    return map;
  }
}

/** Strings of up to this many bytes are interned. */
const INTERNED_MAX_BYTES = 64;
/** Slots of the interning table (a power of two): a slot holds the last string hashed to it. */
const INTERNED_SLOTS = 4096;
const interned: string[] = new Array(INTERNED_SLOTS).fill("");

class InterningStringType extends avro.types.StringType {
  _read(tap: Tap): string {
    const start = tap.pos;
    const length = tap.readLong();
    const from = tap.pos;
    const buf = tap.buf;
    if (length < 1 || length > INTERNED_MAX_BYTES || from + length > buf.length) {
      tap.pos = start;
      return tap.readString();
    }
    // FNV-1a over the bytes; a byte past ASCII sends the string to avsc's reader.
    let hash = 0x811c9dc5;
    for (let i = from; i < from + length; i++) {
      const byte = buf[i];
      if (byte >= 0x80) {
        tap.pos = start;
        return tap.readString();
      }
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const slot = hash & (INTERNED_SLOTS - 1);
    const known = interned[slot];
    if (known.length === length && sameAscii(known, buf, from)) {
      tap.pos = from + length;
      return known;
    }
    tap.pos = start;
    const value = tap.readString();
    interned[slot] = value;
    return value;
  }
}

/** Whether the ASCII string `text` is spelled by the bytes of `buf` from `from` on. */
function sameAscii(text: string, buf: Uint8Array, from: number): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== buf[from + i]) return false;
  }
  return true;
}

/** Reads a block's item count (0 ends the array or map) and checks it against the bytes left. */
function blockSize(tap: Tap, itemsSoFar: number): number {
  let n = tap.readLong();
  if (n < 0) {
    // A negative count is followed by the block's size in bytes.
    n = -n;
    tap.skipLong();
  }
  const left = tap.buf.length - tap.pos;
  // The second bound stops garbage that moves the reader backwards from looping for ever.
  if (n > left || itemsSoFar + n > tap.buf.length) {
    throw new RangeError(`a block of ${n} items cannot fit in the ${left} bytes left`);
  }
  return n;
}

/**
 * Makes the records of every record type in `types` decode as plain objects; applies to values
 * decoded from then on.
 */
export function decodeRecordsAsPlainObjects(types: Iterable<avro.Type>): void {
  for (const type of types) {
    if (type instanceof avro.types.RecordType) type.recordConstructor.prototype = Object.prototype;
  }
}
