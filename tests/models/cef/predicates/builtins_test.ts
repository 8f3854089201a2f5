import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import type { PredicateCall } from "../../../../models/cef/pattern/ast.ts";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";
import { builtinRegistry } from "../../../../models/cef/predicates/builtins.ts";
import { haversineKm } from "../../../../models/cef/predicates/geo.ts";
import type { ResolvedPredicate } from "../../../../models/cef/predicates/registry.ts";

const registry = builtinRegistry();

function call(text: string): PredicateCall {
  const { regex } = parsePattern(text);
  if (regex.kind !== "condition" || regex.condition.kind !== "predicate") {
    throw new Error(`not a predicate: ${text}`);
  }
  return regex.condition.call;
}

/** Evaluates a predicate the way the alphabet does: negations through their base. */
function holds(text: string, event: StreamEvent): boolean {
  const resolved: ResolvedPredicate = registry.resolve(call(text));
  switch (resolved.kind) {
    case "test":
      return resolved.test(event);
    case "negation":
      return !resolved.of.test(event);
    case "constant":
      return resolved.value;
  }
}

function event(attributes: StreamEvent["attributes"], type = ""): StreamEvent {
  return { key: "k", timestamp: 0, type, attributes };
}

// One degree of latitude on a sphere of radius 6371 km.
const DEGREE_KM = (Math.PI / 180) * 6371;

Deno.test("haversine distance matches the arc length of a meridian degree", () => {
  assert.ok(Math.abs(haversineKm(-4.4753, 48, -4.4753, 49) - DEGREE_KM) < 1e-9);
  assert.ok(Math.abs(haversineKm(0, 0, 1, 0) - DEGREE_KM) < 1e-9, "a degree of the equator too");
  assert.equal(haversineKm(10, 20, 10, 20), 0);
});

Deno.test("circle and ring predicates measure from the centre in km", () => {
  const at = (km: number) => event({ lon: -4.4753, lat: 48 + km / DEGREE_KM });
  const within = "WithinCirclePredicate(-4.4753,48.0,5.0)";
  const outside = "OutsideCirclePredicate(-4.4753,48.0,5.0)";
  const ring = "DistanceBetweenPredicate(-4.4753,48.0,5.0,6.0)";
  assert.deepEqual([4.9, 5.5, 6.5].map((km) => holds(within, at(km))), [true, false, false]);
  assert.deepEqual([4.9, 5.5, 6.5].map((km) => holds(outside, at(km))), [false, true, true]);
  assert.deepEqual([4.9, 5.5, 6.5].map((km) => holds(ring, at(km))), [false, true, false]);
  const noPosition = event({ speed: 3 });
  assert.equal(holds(within, noPosition), false);
  assert.equal(holds(ring, noPosition), false);
  assert.equal(holds(outside, noPosition), true, "outside is exactly 'not within'");
});

Deno.test("the distance cache follows changing positions", () => {
  const within = registry.resolve(call("WithinCirclePredicate(0.0,0.0,100.0)"));
  const ring = registry.resolve(call("DistanceBetweenPredicate(0.0,0.0,100.0,200.0)"));
  assert.ok(within.kind === "test" && ring.kind === "test");
  const near = event({ lon: 0, lat: 0.5 });
  const far = event({ lon: 0, lat: 1.5 });
  assert.deepEqual(
    [near, far, far, near].map((e) => [within.test(e), ring.test(e)]),
    [[true, false], [false, true], [false, true], [true, false]],
  );
});

Deno.test("comparison, range, string and type predicates", () => {
  const e = event({ speed: 5, name: "ALPHA", zero: "00100000" }, "B");
  assert.deepEqual(
    ["GT", "GTE", "LT", "LTE", "EQ"].map((op) => holds(`${op}(speed,5.0)`, e)),
    [false, true, false, true, true],
  );
  assert.equal(holds("BT(speed,5.0,6.0)", e), true, "BT includes its lower bound");
  assert.equal(holds("BT(speed,4.0,5.0)", e), false, "BT excludes its upper bound");
  assert.equal(holds("SpeedBetween(4.5,5.5)", e), true);
  assert.equal(holds("SpeedBetween(5.5,9.0)", e), false);
  assert.equal(holds("EQStr(name,ALPHA)", e), true);
  assert.equal(holds("EQStr(zero,00100000)", e), true);
  assert.equal(holds("EQStr(name,BETA)", e), false);
  assert.equal(holds("IsEventTypePredicate(B)", e), true);
  assert.equal(holds("IsEventTypePredicate(A)", e), false);
  assert.equal(holds("TruePredicate()", e), true);
  assert.equal(holds("GT(missing,0.0)", e), false, "a missing attribute satisfies nothing");
  assert.equal(holds("GT(name,0.0)", e), false, "nor does a string where a number is meant");
});

Deno.test("equal calls get the same canonical key; negations point at their base", () => {
  const a = registry.resolve(call("GT(speed,5.0)"));
  const b = registry.resolve(call("GT(speed,5.00)"));
  assert.ok(a.kind === "test" && b.kind === "test");
  assert.equal(a.key, "GT(speed,5.0)");
  assert.equal(b.key, a.key);
  const outside = registry.resolve(call("OutsideCirclePredicate(-4.47530,48.38273,5.0)"));
  assert.ok(outside.kind === "negation");
  assert.equal(outside.of.key, "WithinCirclePredicate(-4.4753,48.38273,5.0)");
});

Deno.test("arguments are validated at compile time, pointing at the call", () => {
  assert.throws(() => registry.resolve(call("  GT(speed)")), {
    message: "line 1, column 3: GT expects 2 argument(s) (attr, value) but got 1",
  });
  assert.throws(() => registry.resolve(call("GT(speed,5)")), {
    message:
      "line 1, column 1: GT: value must be a number written with a dot (e.g. 5.0): current value is 5",
  });
  assert.throws(() => registry.resolve(call("WithinCirclePredicate(1.0,2.0,-1.0)")), {
    message:
      "line 1, column 1: WithinCirclePredicate: r_km must be a positive number: current value is -1",
  });
  assert.throws(() => registry.resolve(call("OutsideCirclePredicate(1.0,95.0,1.0)")), {
    message:
      "line 1, column 1: WithinCirclePredicate: lat must be in [-90, 90]: current value is 95",
  });
  assert.throws(() => registry.resolve(call("BT(speed,6.0,5.0)")), {
    message: "line 1, column 1: BT: min must be less than max: current values are 6 and 5",
  });
});

Deno.test("an unknown predicate is named with the known ones", () => {
  assert.throws(() => registry.resolve(call("NearPort(1.0)")), {
    message: "line 1, column 1: unknown predicate 'NearPort'; known predicates: BT, " +
      "DistanceBetweenPredicate, EQ, EQStr, GT, GTE, HeadingTowardsPredicate, IsEventTypePredicate, LT, LTE, " +
      "OutsideCirclePredicate, SpeedBetween, TruePredicate, WithinCirclePredicate",
  });
});
