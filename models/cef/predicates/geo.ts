/**
 * Great-circle distances for the spatial predicates. Several predicates usually share one
 * centre (a port and the rings around it), so the distance to a centre is remembered for the
 * last position seen: an event is measured once per centre, not once per predicate.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";

/** Mean Earth radius, km. */
export const EARTH_RADIUS_KM = 6371;

const RADIANS = Math.PI / 180;

/** Haversine distance in km between two (lon, lat) points given in degrees. */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RADIANS;
  const dLon = (lon2 - lon1) * RADIANS;
  const a = Math.sin(dLat / 2) ** 2 +
    Math.cos(lat1 * RADIANS) * Math.cos(lat2 * RADIANS) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Distance (km) from an event's `lon`/`lat` attributes to a fixed centre; NaN if either is missing. */
export type DistanceFromCentre = (event: StreamEvent) => number;

/** Builds a distance function for one centre that remembers its last position and result. */
export function distanceFrom(lon: number, lat: number): DistanceFromCentre {
  let lastLon = NaN;
  let lastLat = NaN;
  let lastDistance = NaN;
  return (event) => {
    const pLon = event.attributes.lon;
    const pLat = event.attributes.lat;
    if (typeof pLon !== "number" || typeof pLat !== "number") return NaN;
    if (pLon === lastLon && pLat === lastLat) return lastDistance;
    lastLon = pLon;
    lastLat = pLat;
    lastDistance = haversineKm(lon, lat, pLon, pLat);
    return lastDistance;
  };
}
