import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import { builtinRegistry } from "../../../../models/cef/predicates/builtins.ts";
import {
  BREST_PORT,
  headingTowards,
  parsePolygon,
} from "../../../../models/cef/predicates/heading_towards.ts";

const at = (lon: number, lat: number, speed: number, heading: number): StreamEvent => ({
  key: "",
  timestamp: 0,
  type: "SampledCritical",
  attributes: { lon, lat, speed, heading },
});

Deno.test("heading towards: the hour ahead at speed and heading reaches the polygon", () => {
  const port = headingTowards(BREST_PORT);
  // 10 knots west from 13 km east of the port: 18.5 km in the hour, through the port.
  assert.equal(port(at(-4.3, 48.38, 10, 270)), true);
  assert.equal(port(at(-4.3, 48.38, 10, 90)), false);
  assert.equal(port(at(-4.3, 48.38, 1, 270)), false);
  // Inside the port counts, whatever the heading.
  assert.equal(port(at(-4.475, 48.383, 0, 0)), true);
  assert.equal(port({ ...at(0, 0, 0, 0), attributes: { lon: -4.475, lat: 48.383 } }), false);
});

Deno.test("areas are polygons of lon,lat pairs; an unknown area is refused", () => {
  const square = parsePolygon("-5.10,47.90 -4.90,47.90 -4.90,48.10 -5.10,48.10 -5.10,47.90\n");
  assert.equal(square.length, 5);
  assert.equal(headingTowards(square)(at(-4.7, 48.0, 12, 270)), true);
  assert.equal(headingTowards(square)(at(-4.7, 48.0, 12, 0)), false);
  assert.throws(() => parsePolygon("1,2 3"), {
    message: "polygon vertex must be lon,lat: current value is '3'",
  });
  assert.throws(() => parsePolygon("1,2 3,4"), {
    message: "polygon needs at least 3 vertices: current value is 2",
  });
  const call = { name: "HeadingTowardsPredicate", line: 1, column: 1 };
  assert.throws(
    () => builtinRegistry().resolve({ ...call, args: [{ kind: "text", value: "FishingArea" }] }),
    {
      message: "line 1, column 1: HeadingTowardsPredicate: area must be one of BrestPort: " +
        "current value is 'FishingArea'",
    },
  );
  const withArea = builtinRegistry({ areas: { FishingArea: square } });
  assert.equal(
    withArea.resolve({ ...call, args: [{ kind: "text", value: "FishingArea" }] }).kind,
    "test",
  );
});
