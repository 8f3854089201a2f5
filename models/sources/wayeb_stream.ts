/**
 * Reads stream files the way Wayeb 0.6 does, so Wayeb users' files run unchanged:
 * - generic CSV (`csv`): `type,timestamp[,ignored...]`, no header, the type verbatim (spaces
 *   kept), an integer timestamp;
 * - maritime (`maritime`): `timestamp,mmsi,lon,lat,speed,heading,cog,annotation[,next]`, every
 *   event of type `SampledCritical`.
 * Every event carries Wayeb's built-in attributes `Id` (the 1-based line number), `EventType` and
 * `Timestamp` (as written). A row whose timestamp is -1 is a RESET, not an event: it keeps no
 * attributes in generic CSV and only `mmsi` in maritime CSV. A line Wayeb cannot read (a header,
 * an empty line, a non-integer timestamp) is refused with its line number.
 *
 * @module
 */

import type { AttributeValue, StreamEvent } from "../../core/events.ts";

/** A Wayeb stream layout (`--domainSpecificStream`: none for `csv`, or `maritime`). */
export type WayebDomain = "csv" | "maritime";

/** A row of a Wayeb stream: an event, or a RESET with the attributes it keeps. */
export type WayebRow =
  | { readonly kind: "event"; readonly event: StreamEvent }
  | { readonly kind: "reset"; readonly attributes: Record<string, AttributeValue> };

const MARITIME_NUMBERS = ["lon", "lat", "speed", "heading", "cog"] as const;

/** Parses line `id` (1-based) of a Wayeb stream; throws RangeError naming the line. */
export function parseWayebLine(line: string, id: number, domain: WayebDomain): WayebRow {
  const columns = line.split(",");
  if (domain === "csv") {
    if (columns.length < 2) fail(id, "expected type,timestamp", line);
    const timestamp = integer(columns[1], id, line);
    if (timestamp === -1) return { kind: "reset", attributes: {} };
    const type = columns[0];
    return event(id, type, timestamp, {});
  }
  if (columns.length !== 8 && columns.length !== 9) {
    fail(id, `expected 8 or 9 maritime columns but found ${columns.length}`, line);
  }
  const timestamp = integer(columns[0], id, line);
  const mmsi = columns[1];
  if (timestamp === -1) return { kind: "reset", attributes: { mmsi } };
  const attributes: Record<string, AttributeValue> = { mmsi, annotation: columns[7] };
  MARITIME_NUMBERS.forEach((name, i) => {
    const value = columns[i + 2].trim() === "" ? NaN : Number(columns[i + 2]);
    if (Number.isNaN(value)) fail(id, `${name} must be a number`, line);
    attributes[name] = value;
  });
  return event(id, "SampledCritical", timestamp, attributes);
}

/** Every row of a Wayeb stream's text, in order; throws at the first line Wayeb cannot read. */
export function parseWayebStream(text: string, domain: WayebDomain): WayebRow[] {
  const lines = text.split("\n");
  // The newline ending the last line does not start another one.
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line, i) => parseWayebLine(line.replace(/\r$/, ""), i + 1, domain));
}

function event(
  id: number,
  type: string,
  timestamp: number,
  attributes: Record<string, AttributeValue>,
): WayebRow {
  return {
    kind: "event",
    event: {
      key: "",
      timestamp: timestamp * 1000,
      type,
      attributes: { ...attributes, Id: id, EventType: type, Timestamp: timestamp },
    },
  };
}

function integer(text: string, id: number, line: string): number {
  if (!/^-?\d+$/.test(text.trim())) fail(id, "timestamp must be an integer", line);
  return Number(text);
}

function fail(id: number, reason: string, line: string): never {
  throw new RangeError(`line ${id}: ${reason}: current value is ${JSON.stringify(line)}`);
}
