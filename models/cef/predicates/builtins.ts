/**
 * The built-in predicates of the Wayeb-compatible syntax. Spatial predicates read the `lon` and
 * `lat` attributes (degrees), `SpeedBetween` reads `speed`, `IsEventTypePredicate` the event
 * type, `HeadingTowardsPredicate` reads `lon`, `lat`, `speed` and `heading`; the comparison
 * predicates read the named attribute, a number (`EQStr`: a string). Each
 * declares what it reads, so an event lacking it is refused before any test runs; the tests
 * still come out false on such an event rather than throwing.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { AttributeNeed } from "./attribute_need.ts";
import { distanceFrom, type DistanceFromCentre } from "./geo.ts";
import { BREST_PORT, headingTowards, type Polygon } from "./heading_towards.ts";
import { type EventTest, type PredicateArgs, PredicateRegistry } from "./registry.ts";

/** What the built-ins may be given: named areas for `HeadingTowardsPredicate`. */
export interface BuiltinOptions {
  /** Areas besides the built-in `BrestPort`, e.g. Wayeb's `FishingArea`. */
  readonly areas?: Readonly<Record<string, Polygon>>;
}

/** A registry holding every built-in predicate. */
export function builtinRegistry(options: BuiltinOptions = {}): PredicateRegistry {
  const registry = new PredicateRegistry();
  registerBuiltins(registry, options);
  return registry;
}

/** Registers the built-ins into `registry` (e.g. one that already has user predicates). */
export function registerBuiltins(registry: PredicateRegistry, options: BuiltinOptions = {}): void {
  // One distance function per centre, shared by every predicate around it.
  const centres = new Map<string, DistanceFromCentre>();
  const centre = (args: PredicateArgs): DistanceFromCentre => {
    const lon = inRange(args, "lon", -180, 180);
    const lat = inRange(args, "lat", -90, 90);
    const key = `${lon},${lat}`;
    let distance = centres.get(key);
    if (distance === undefined) {
      distance = distanceFrom(lon, lat);
      centres.set(key, distance);
    }
    return distance;
  };
  const lonLat = [num("lon"), num("lat")] as const;
  const position = [numberAttribute("lon"), numberAttribute("lat")];

  registry.register("WithinCirclePredicate", {
    params: [...lonLat, num("r_km")],
    create(args) {
      const distance = centre(args);
      const radius = positive(args, "r_km");
      return test((e) => distance(e) < radius, position);
    },
  });
  // Exactly "not within", so the alphabet never builds a minterm where both or neither hold.
  registry.register("OutsideCirclePredicate", {
    params: [...lonLat, num("r_km")],
    create(args) {
      positive(args, "r_km");
      return {
        kind: "negation",
        of: {
          name: "WithinCirclePredicate",
          args: [args.lon, args.lat, args.r_km].map((v) => ({
            kind: "number",
            value: v as number,
          })),
        },
      };
    },
  });
  registry.register("DistanceBetweenPredicate", {
    params: [...lonLat, num("min_km"), num("max_km")],
    create(args) {
      const distance = centre(args);
      const [min, max] = interval(args, "min_km", "max_km");
      return test((e) => {
        const d = distance(e);
        return min < d && d < max;
      }, position);
    },
  });
  registry.register("IsEventTypePredicate", {
    params: [text("type")],
    create(args) {
      const type = args.type as string;
      return test((e) => e.type === type);
    },
  });
  registerComparison(registry, "GT", (v, x) => v > x);
  registerComparison(registry, "GTE", (v, x) => v >= x);
  registerComparison(registry, "LT", (v, x) => v < x);
  registerComparison(registry, "LTE", (v, x) => v <= x);
  registerComparison(registry, "EQ", (v, x) => v === x);
  registry.register("BT", {
    params: [text("attr"), num("min"), num("max")],
    create(args) {
      const attr = args.attr as string;
      const [min, max] = interval(args, "min", "max");
      return test((e) => {
        const v = e.attributes[attr];
        return typeof v === "number" && min <= v && v < max;
      }, [numberAttribute(attr)]);
    },
  });
  registry.register("EQStr", {
    params: [text("attr"), text("value")],
    create(args) {
      const attr = args.attr as string;
      const value = args.value as string;
      return test((e) => e.attributes[attr] === value, [{ name: attr, type: "string" }]);
    },
  });
  registry.register("SpeedBetween", {
    params: [num("min"), num("max")],
    create(args) {
      const [min, max] = interval(args, "min", "max");
      return test((e) => {
        const v = e.attributes.speed;
        return typeof v === "number" && min <= v && v < max;
      }, [numberAttribute("speed")]);
    },
  });
  const areas: Readonly<Record<string, Polygon>> = { BrestPort: BREST_PORT, ...options.areas };
  registry.register("HeadingTowardsPredicate", {
    params: [text("area")],
    create(args) {
      const polygon = areas[args.area as string];
      if (polygon === undefined) {
        throw new RangeError(
          `area must be one of ${Object.keys(areas).join(", ")}: current value is '${args.area}'`,
        );
      }
      const reads = ["lon", "lat", "speed", "heading"].map(numberAttribute);
      return test(headingTowards(polygon), reads);
    },
  });
  registry.register("TruePredicate", {
    params: [],
    create: () => ({ kind: "constant", value: true }),
  });
}

function registerComparison(
  registry: PredicateRegistry,
  name: string,
  compare: (value: number, threshold: number) => boolean,
): void {
  registry.register(name, {
    params: [text("attr"), num("value")],
    create(args) {
      const attr = args.attr as string;
      const threshold = args.value as number;
      return test((e: StreamEvent) => {
        const v = e.attributes[attr];
        return typeof v === "number" && compare(v, threshold);
      }, [numberAttribute(attr)]);
    },
  });
}

function test(
  fn: EventTest,
  reads: readonly AttributeNeed[] = [],
): { kind: "test"; test: EventTest; reads: readonly AttributeNeed[] } {
  return { kind: "test", test: fn, reads };
}

function numberAttribute(name: string): AttributeNeed {
  return { name, type: "number" };
}

function num(name: string) {
  return { name, kind: "number" } as const;
}

function text(name: string) {
  return { name, kind: "text" } as const;
}

function inRange(args: PredicateArgs, name: string, min: number, max: number): number {
  const value = args[name] as number;
  if (!(value >= min && value <= max)) {
    throw new RangeError(`${name} must be in [${min}, ${max}]: current value is ${value}`);
  }
  return value;
}

function positive(args: PredicateArgs, name: string): number {
  const value = args[name] as number;
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be a positive number: current value is ${value}`);
  }
  return value;
}

function interval(args: PredicateArgs, minName: string, maxName: string): [number, number] {
  const min = args[minName] as number;
  const max = args[maxName] as number;
  if (!(min < max)) {
    throw new RangeError(
      `${minName} must be less than ${maxName}: current values are ${min} and ${max}`,
    );
  }
  return [min, max];
}
