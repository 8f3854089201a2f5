import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import { boundedBlocks } from "../../protocol/avro_bounded_blocks.ts";

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
