import assert from "node:assert/strict";
import { KeyRoutes } from "../../models/key_routes.ts";

Deno.test("KeyRoutes gives the items whose selector takes a key, in the list's order", () => {
  const routes = new KeyRoutes(
    ["even", "all", "a"],
    (name) => (key: string) =>
      name === "all" || (name === "even" && Number(key) % 2 === 0) || (name === "a" && key === "a"),
  );
  assert.deepEqual(routes.of("2"), ["even", "all"]);
  assert.deepEqual(routes.of("3"), ["all"]);
  assert.deepEqual(routes.of("a"), ["all", "a"]);
});

Deno.test("KeyRoutes runs each key's selectors once", () => {
  let calls = 0;
  const routes = new KeyRoutes([1, 2], () => (_key: string) => (calls++, true));
  const first = routes.of("k");
  const again = routes.of("k");
  assert.deepEqual(calls, 2);
  assert.equal(again, first);
  routes.of("other");
  assert.deepEqual(calls, 4);
});
