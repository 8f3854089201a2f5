import assert from "node:assert/strict";
import { builtinRegistry } from "../../../../models/cef/predicates/builtins.ts";
import { PredicateRegistry } from "../../../../models/cef/predicates/registry.ts";

const at = { line: 1, column: 1 };

Deno.test("users register their own predicates with validated arguments", () => {
  const registry = builtinRegistry().register("HeadingNear", {
    params: [{ name: "degrees", kind: "number" }, { name: "tolerance", kind: "number" }],
    create(args) {
      const degrees = args.degrees as number;
      const tolerance = args.tolerance as number;
      if (!(tolerance > 0)) {
        throw new RangeError(`tolerance must be positive: current value is ${tolerance}`);
      }
      return {
        kind: "test",
        test: (e) => Math.abs((e.attributes.heading as number) - degrees) <= tolerance,
      };
    },
  });
  assert.ok(registry.names().includes("HeadingNear"));
  const resolved = registry.resolve({
    name: "HeadingNear",
    args: [{ kind: "number", value: 90 }, { kind: "number", value: 10 }],
    ...at,
  });
  assert.ok(resolved.kind === "test");
  assert.equal(resolved.key, "HeadingNear(90.0,10.0)");
  const event = (heading: number) => ({ key: "", timestamp: 0, type: "", attributes: { heading } });
  assert.equal(resolved.test(event(95)), true);
  assert.equal(resolved.test(event(105)), false);
  assert.throws(
    () =>
      registry.resolve({
        name: "HeadingNear",
        args: [{ kind: "number", value: 90 }, { kind: "number", value: 0 }],
        line: 3,
        column: 7,
      }),
    { message: "line 3, column 7: HeadingNear: tolerance must be positive: current value is 0" },
  );
});

Deno.test("names must be identifiers and unique", () => {
  const registry = new PredicateRegistry();
  const definition = { params: [], create: () => ({ kind: "constant", value: false }) as const };
  registry.register("Never", definition);
  assert.throws(
    () => registry.register("Never", definition),
    /already registered: current value is 'Never'/,
  );
  assert.throws(() => registry.register("no way", definition), /must be an identifier/);
});

Deno.test("a negation must point at a plain test", () => {
  const registry = new PredicateRegistry()
    .register("Always", { params: [], create: () => ({ kind: "constant", value: true }) })
    .register("Never", {
      params: [],
      create: () => ({ kind: "negation", of: { name: "Always", args: [] } }),
    });
  assert.throws(() => registry.resolve({ name: "Never", args: [], ...at }), {
    message:
      "line 1, column 1: Never is defined as the negation of Always, which must be a plain test",
  });
});
