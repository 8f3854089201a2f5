/**
 * Wayeb's `HeadingTowardsPredicate(area)`: the vessel's position projected one hour ahead (at
 * `speed` knots on `heading` degrees, along a great circle) gives a segment; the predicate holds
 * when that segment touches the area's polygon (crosses an edge, or lies inside). Areas are
 * named polygons of (lon, lat) vertices; `BrestPort` is built in, as in Wayeb.
 *
 * @module
 */

import type { EventTest } from "./registry.ts";
import { EARTH_RADIUS_KM } from "./geo.ts";

/** A closed polygon of (lon, lat) vertices in degrees; the last vertex joins the first. */
export type Polygon = readonly (readonly [number, number])[];

const RADIANS = Math.PI / 180;
const KM_PER_NAUTICAL_MILE = 1.852;

/** Wayeb's port of Brest: an ellipse of 0.0675° lon by 0.045° lat around (-4.475, 48.383). */
export const BREST_PORT: Polygon = Array.from({ length: 32 }, (_, i) => {
  const angle = (2 * Math.PI * i) / 32;
  return [-4.475 + 0.0675 * Math.cos(angle), 48.383 + 0.045 * Math.sin(angle)] as const;
});

/** Parses space-separated `lon,lat` pairs (Wayeb's area files); throws on a malformed pair. */
export function parsePolygon(text: string): Polygon {
  const points = text.trim().split(/\s+/).filter((p) => p !== "").map((pair) => {
    const [lon, lat, extra] = pair.split(",").map(Number);
    if (extra !== undefined || !Number.isFinite(lon) || !Number.isFinite(lat)) {
      throw new RangeError(`polygon vertex must be lon,lat: current value is '${pair}'`);
    }
    return [lon, lat] as const;
  });
  if (points.length < 3) {
    throw new RangeError(`polygon needs at least 3 vertices: current value is ${points.length}`);
  }
  return points;
}

/** The test "heading towards `polygon` within the hour"; false without lon, lat, speed, heading. */
export function headingTowards(polygon: Polygon): EventTest {
  return (event) => {
    const { lon, lat, speed, heading } = event.attributes;
    if (
      typeof lon !== "number" || typeof lat !== "number" || typeof speed !== "number" ||
      typeof heading !== "number"
    ) return false;
    const [lon2, lat2] = destination(lon, lat, heading, speed * KM_PER_NAUTICAL_MILE);
    return segmentTouches(polygon, lon, lat, lon2, lat2);
  };
}

/** The point `km` away from (lon, lat) on `bearing` degrees, along a great circle. */
function destination(lon: number, lat: number, bearing: number, km: number): [number, number] {
  const delta = km / EARTH_RADIUS_KM;
  const phi = lat * RADIANS;
  const theta = bearing * RADIANS;
  const phi2 = Math.asin(
    Math.sin(phi) * Math.cos(delta) + Math.cos(phi) * Math.sin(delta) * Math.cos(theta),
  );
  const lambda2 = lon * RADIANS +
    Math.atan2(
      Math.sin(theta) * Math.sin(delta) * Math.cos(phi),
      Math.cos(delta) - Math.sin(phi) * Math.sin(phi2),
    );
  return [lambda2 / RADIANS, phi2 / RADIANS];
}

function segmentTouches(polygon: Polygon, x1: number, y1: number, x2: number, y2: number): boolean {
  if (inside(polygon, x1, y1) || inside(polygon, x2, y2)) return true;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i];
    const [bx, by] = polygon[(i + 1) % polygon.length];
    if (crosses(x1, y1, x2, y2, ax, ay, bx, by)) return true;
  }
  return false;
}

/** Ray casting: whether (x, y) lies inside the polygon. */
function inside(polygon: Polygon, x: number, y: number): boolean {
  let result = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

/** Whether segments p1-p2 and q1-q2 intersect (touching counts). */
function crosses(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  x3: number,
  y3: number,
  x4: number,
  y4: number,
): boolean {
  const side = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
    Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
  const d1 = side(x3, y3, x4, y4, x1, y1);
  const d2 = side(x3, y3, x4, y4, x2, y2);
  const d3 = side(x1, y1, x2, y2, x3, y3);
  const d4 = side(x1, y1, x2, y2, x4, y4);
  return d1 * d2 <= 0 && d3 * d4 <= 0 && !(d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0);
}
