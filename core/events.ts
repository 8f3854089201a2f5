/**
 * The stream and what the engine says about it: events in, forecasts out.
 *
 * @module
 */

/** A value an event attribute may take. */
export type AttributeValue = number | string;

/** One event of the input stream: a partition key, a stream time and named attributes. */
export interface StreamEvent {
  /** Partition value (the pattern's `partitionBy` attribute, e.g. the vessel's mmsi). */
  key: string;
  /** Stream time in epoch milliseconds. */
  timestamp: number;
  /** Event type; `""` when the source has none. */
  type: string;
  attributes: Record<string, AttributeValue>;
}

/** A forecast the engine emitted for one partition after one of its events. */
export interface Forecast {
  key: string;
  /** Per-partition event counter at which the forecast was made. */
  counter: number;
  timestamp: number;
  /** Interval of future per-partition counters in which a match is expected. */
  start: number;
  end: number;
  probability: number;
  /** False for a negative forecast (no interval reached the confidence threshold). */
  positive: boolean;
  /** True when this very event completed a pattern match. */
  detection: boolean;
  modelVersion: number;
}
