/**
 * Every place Retune reaches into avsc's internals, gathered here because avsc's public API cannot
 * do these jobs; `tests/protocol/avsc_internals_test.ts` pins the avsc version and fails when the
 * members used here change. Check them again before moving avsc in `deno.json`.
 *
 * - Bounded blocks: avsc trusts the item count at the start of each array or map block, so garbage
 *   that claims 2^40 items keeps the decoder busy for hours. Every array item and map entry of
 *   Retune's schemas takes at least one byte, so these readers refuse a block with more items than
 *   there are bytes left. They override the types' `_read(tap)` and use its `Tap`.
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
