/**
 * Writes a dataset in a stream format Wayeb reads:
 * - `maritime`: Wayeb's AIS CSV `timestamp,mmsi,lon,lat,speed,heading,cog,annotation`, with
 *   timestamps in epoch seconds as in the bundled Brest data, so user patterns keep their meaning;
 * - `typed_csv`: Wayeb's generic CSV `type,timestamp` (event types only, e.g. the demo stream);
 * - `json`: one JSON object per line, the event's attributes plus `timestamp` (epoch ms).
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";

/** A stream format Wayeb reads. */
export type WayebStreamFormat = "maritime" | "typed_csv" | "json";

/** A Retune source domain (see `model.source.domain` in the configuration). */
export type SourceDomainName = "maritime" | "csv" | "jsonl" | "demo_abc" | "retune_jsonl";

/** The Wayeb format for events from a Retune source domain. */
export function streamFormatFor(domain: SourceDomainName): WayebStreamFormat {
  switch (domain) {
    case "maritime":
      return "maritime";
    case "demo_abc":
      return "typed_csv";
    case "csv":
    case "jsonl":
    case "retune_jsonl":
      return "json";
  }
}

/** Wayeb's `--domainSpecificStream` value for a format (empty: its generic CSV). */
export function wayebDomain(format: WayebStreamFormat): string {
  return format === "typed_csv" ? "" : format;
}

/** File extension for a format. */
export function streamExtension(format: WayebStreamFormat): string {
  return format === "json" ? "json" : "csv";
}

/** The dataset as the text of a Wayeb stream file. */
export function wayebStream(events: readonly StreamEvent[], format: WayebStreamFormat): string {
  const line = format === "maritime" ? maritimeLine : format === "typed_csv" ? typedLine : jsonLine;
  return events.map((event, i) => line(event, i)).join("\n") + (events.length > 0 ? "\n" : "");
}

const AIS_NUMBERS = ["lon", "lat", "speed", "heading", "cog"] as const;

function maritimeLine(event: StreamEvent, index: number): string {
  const numbers = AIS_NUMBERS.map((name) => {
    const value = event.attributes[name];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new RangeError(
        `event ${index} (key ${event.key}) needs a numeric '${name}' for Wayeb's maritime format: ` +
          `current value is ${JSON.stringify(value)}`,
      );
    }
    return value;
  });
  const mmsi = event.attributes.mmsi ?? event.key;
  const annotation = event.attributes.annotation ?? "";
  return [Math.floor(event.timestamp / 1000), mmsi, ...numbers, annotation].join(",");
}

function typedLine(event: StreamEvent, index: number): string {
  if (event.type === "" || event.type.includes(",")) {
    throw new RangeError(
      `event ${index} needs a type without commas for Wayeb's generic CSV: current value is ` +
        JSON.stringify(event.type),
    );
  }
  return `${event.type},${event.timestamp}`;
}

function jsonLine(event: StreamEvent): string {
  return JSON.stringify({ ...event.attributes, timestamp: event.timestamp });
}
