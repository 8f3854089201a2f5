/** The in-process registry's key index: a sorted set listed by prefix. */

import assert from "node:assert/strict";
import { SortedKeys } from "../../registry/sorted_keys.ts";

Deno.test("keys are listed by prefix in order, each once, without the deleted ones", () => {
  const keys = new SortedKeys();
  for (const key of ["m/b/2", "m/a/1", "m/b/1", "n/a", "m/b/2", "m/", "m/c"]) keys.add(key);
  assert.deepEqual(keys.withPrefix("m/b/"), ["m/b/1", "m/b/2"]);
  assert.deepEqual(keys.withPrefix("m/"), ["m/", "m/a/1", "m/b/1", "m/b/2", "m/c"]);
  assert.deepEqual(keys.withPrefix(""), ["m/", "m/a/1", "m/b/1", "m/b/2", "m/c", "n/a"]);
  keys.delete("m/b/1");
  keys.delete("absent");
  assert.deepEqual(keys.withPrefix("m/b"), ["m/b/2"]);
  assert.deepEqual(keys.withPrefix("z"), []);
});
