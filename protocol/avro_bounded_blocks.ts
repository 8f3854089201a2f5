/**
 * A hardening of avsc's array and map readers against garbage input, used when compiling schemas.
 *
 * avsc trusts the item count at the start of each array or map block, so garbage that claims 2^40
 * items keeps the decoder busy for hours. Every array item and map entry of Retune's schemas takes
 * at least one byte, so these readers refuse a block with more items than there are bytes left.
 * They rely on avsc internals (`_read` and its `Tap`), stable within the pinned avsc 5.7.
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
