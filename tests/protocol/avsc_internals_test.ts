import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import avscPackage from "avsc/package.json" with { type: "json" };
import deno from "../../deno.json" with { type: "json" };
import {
  boundedBlocks,
  decodeRecordsAsPlainObjects,
  internedStrings,
} from "../../protocol/avsc_internals.ts";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import { samples } from "./message_samples.ts";

const longs = avro.Type.forSchema({ type: "array", items: "long" }, { typeHook: boundedBlocks });
const tags = avro.Type.forSchema({ type: "map", values: "string" }, { typeHook: boundedBlocks });

Deno.test("bounded arrays and maps round-trip", { permissions: "none" }, () => {
  assert.deepStrictEqual(longs.fromBuffer(longs.toBuffer([1, -2, 2 ** 40])), [1, -2, 2 ** 40]);
  assert.deepStrictEqual(longs.fromBuffer(longs.toBuffer([])), []);
  assert.deepStrictEqual(tags.fromBuffer(tags.toBuffer({ a: "x", b: "" })), { a: "x", b: "" });
});

Deno.test("blocks with a byte size and several blocks are read", { permissions: "none" }, () => {
  // Block of -2 items (zig-zag 3) and 2 bytes (4): 1, 2; block of 1 item (2): 3; end (0).
  assert.deepStrictEqual(longs.fromBuffer(Buffer.from([3, 4, 2, 4, 2, 6, 0])), [1, 2, 3]);
});

Deno.test("a block claiming more items than bytes left is refused", { permissions: "none" }, () => {
  // 5 items (zig-zag 10) announced, 3 bytes follow.
  assert.throws(() => longs.fromBuffer(Buffer.from([10, 2, 4, 0])), {
    name: "RangeError",
    message: "a block of 5 items cannot fit in the 3 bytes left",
  });
  assert.throws(() => tags.fromBuffer(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f])), RangeError);
});

const words = avro.Type.forSchema({ type: "array", items: "string" }, {
  typeHook: (schema, opts) => internedStrings(schema) ?? boundedBlocks(schema, opts),
});

Deno.test("interned strings read as avsc reads them", { permissions: "none" }, () => {
  const long = "x".repeat(65);
  const values = ["", "a", "vessel-1", "vessel-1", "vessel-2", "é", "naïve", long, "a", "\u0000"];
  assert.deepStrictEqual(words.fromBuffer(words.toBuffer(values)), values);
  // A string that lands in the slot of another is still read for what it is.
  const many = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
  assert.deepStrictEqual(words.fromBuffer(words.toBuffer(many)), many);
  assert.deepStrictEqual(words.fromBuffer(words.toBuffer([...many].reverse())), many.reverse());
});

Deno.test("a string cut short by the end of the bytes is refused", { permissions: "none" }, () => {
  // One item: a string of 5 bytes (zig-zag 10) of which 2 follow.
  assert.throws(() => words.fromBuffer(Buffer.from([2, 10, 0x61, 0x62])));
  assert.throws(() => words.fromBuffer(Buffer.from([2, 10, 0xc3, 0xa9])));
});

Deno.test("a string type reads through tap.readString", { permissions: "none" }, () => {
  const read = (avro.types.StringType.prototype as unknown as Record<string, unknown>)._read;
  assert.match(String(read), /tap\.readString\(\)/, "StringType.prototype._read");
});

// The internals protocol/avsc_internals.ts relies on were read in this version; a new one must be
// checked again (then update the version here).
const CHECKED_VERSION = "5.7.9";

Deno.test("avsc is the version whose internals were checked", { permissions: "none" }, () => {
  assert.equal(deno.imports.avsc, `npm:avsc@${CHECKED_VERSION}`, "deno.json's avsc import");
  assert.equal(avscPackage.version, CHECKED_VERSION, "the avsc package loaded");
});

Deno.test("array and map types read through _read(tap), with the Tap members used", {
  permissions: "none",
}, () => {
  for (const type of [avro.types.ArrayType, avro.types.MapType]) {
    const read = (type.prototype as unknown as Record<string, unknown>)._read;
    assert.equal(typeof read, "function", `${type.name}.prototype._read`);
    assert.equal((read as (tap: unknown) => unknown).length, 1, `${type.name}'s _read takes a tap`);
  }
  const taps: Record<string, unknown>[] = [];
  class Spying extends avro.types.ArrayType {
    _read(tap: Record<string, unknown>): unknown {
      taps.push(tap);
      return (avro.types.ArrayType.prototype as unknown as {
        _read(tap: unknown): unknown;
      })._read.call(this, tap);
    }
  }
  const spied = avro.Type.forSchema({ type: "array", items: "string" }, {
    typeHook: (schema, opts) =>
      typeof schema === "object" && "type" in schema && schema.type === "array"
        ? new Spying(schema, opts)
        : undefined,
  });
  assert.deepEqual(spied.fromBuffer(spied.toBuffer(["a"])), ["a"]);
  assert.equal(taps.length, 1, "decoding calls the type's _read once");
  const [tap] = taps;
  assert.ok(tap.buf instanceof Uint8Array, "tap.buf is the bytes");
  assert.equal(typeof tap.pos, "number", "tap.pos is the read position");
  for (const method of ["readLong", "skipLong", "readString"]) {
    assert.equal(typeof tap[method], "function", `tap.${method}`);
  }
});

Deno.test("records decode through their recordConstructor, plain once patched", {
  permissions: "none",
}, () => {
  const type = avro.Type.forSchema({
    type: "record",
    name: "Probe",
    fields: [{ name: "n", type: "int" }],
  }, { omitRecordMethods: true }) as avro.types.RecordType;
  assert.equal(typeof type.recordConstructor, "function", "RecordType#recordConstructor");
  const bytes = type.toBuffer({ n: 1 });
  assert.ok(type.fromBuffer(bytes) instanceof type.recordConstructor, "decoded with it");
  decodeRecordsAsPlainObjects([type, avro.Type.forSchema("int")]);
  const decoded = type.fromBuffer(bytes);
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepStrictEqual(decoded, { n: 1 });
});

Deno.test("Retune's messages decode as plain objects", { permissions: "none" }, () => {
  for (const forecast of samples.Forecast) {
    const decoded = decodePayload("Forecast", encodePayload("Forecast", forecast));
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.deepStrictEqual(decoded, forecast);
  }
});
