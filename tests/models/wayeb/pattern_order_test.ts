import assert from "node:assert/strict";
import { withOrder } from "../../../models/wayeb/pattern_order.ts";

const BODY = ";(IsEventTypePredicate(A),IsEventTypePredicate(B))";

Deno.test("an existing order is replaced", () => {
  assert.equal(
    withOrder(`${BODY}{order:0}{partitionBy:mmsi}\n`, 3),
    `${BODY}{order:3}{partitionBy:mmsi}\n`,
  );
});

Deno.test("a missing order goes before the later suffixes, or at the end", () => {
  assert.equal(
    withOrder(`${BODY}{partitionBy:mmsi}{window:10}`, 2),
    `${BODY}{order:2}{partitionBy:mmsi}{window:10}`,
  );
  assert.equal(withOrder(`${BODY}\n`, 4), `${BODY}{order:4}\n`);
});

Deno.test("a bad order or an empty pattern is rejected", () => {
  assert.throws(
    () => withOrder(BODY, 1.5),
    /order must be a non-negative integer: current value is 1.5/,
  );
  assert.throws(() => withOrder(" \n", 1), /empty/);
});
