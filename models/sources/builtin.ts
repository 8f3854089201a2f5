/**
 * The source mappings of the bundled data sets.
 *
 * @module
 */

import { parseSourceSpec, type SourceSpec } from "./spec.ts";

/**
 * AIS positions of the Brest maritime data set (no header): epoch seconds, mmsi (the partition
 * key, also kept as an attribute for `{partitionBy:mmsi}`), lon, lat, speed (knots), heading,
 * cog, and an 8-character annotation flag string.
 */
export const MARITIME_SOURCE: SourceSpec = parseSourceSpec({
  format: "csv",
  columns: ["timestamp", "mmsi", "lon", "lat", "speed", "heading", "cog", "annotation"],
  key: "mmsi",
  timestamp: { field: "timestamp", unit: "s" },
  numeric: ["lon", "lat", "speed", "heading", "cog"],
  strings: ["mmsi", "annotation"],
});

/** The tiny `type,timestamp` smoke stream over A, B, C (no header, one partition). */
export const DEMO_ABC_SOURCE: SourceSpec = parseSourceSpec({
  format: "csv",
  columns: ["type", "timestamp"],
  key: null,
  timestamp: { field: "timestamp", unit: "s" },
  type: "type",
});

/**
 * Stream events as Retune writes them in datasets and buckets: one JSON object per line,
 * `{"key", "timestamp" (epoch ms), "type", "attributes": {...}}`.
 */
export const RETUNE_JSONL_SOURCE: SourceSpec = parseSourceSpec({
  format: "jsonl",
  key: "key",
  timestamp: { field: "timestamp", unit: "ms" },
  type: "type",
  attributes: "attributes",
});

/** Built-in mappings by name. */
export const BUILTIN_SOURCES: Readonly<Record<string, SourceSpec>> = {
  maritime: MARITIME_SOURCE,
  demo_abc: DEMO_ABC_SOURCE,
  retune_jsonl: RETUNE_JSONL_SOURCE,
};
