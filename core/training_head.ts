/**
 * The head of a stream an initial model trains on: its first n events, or the events of its first
 * span of stream time ("the first two weeks").
 *
 * @module
 */

/** The first `events` events, or those less than `spanMs` of stream time after the first one. */
export type TrainingHead = { events: number } | { spanMs: number };

/**
 * Whether the next event, at `timestamp`, still belongs to the head, `taken` events into it; the
 * head's first event was at `first` (the next event's own timestamp when none is taken yet).
 */
export function inTrainingHead(
  head: TrainingHead,
  taken: number,
  first: number,
  timestamp: number,
): boolean {
  return "events" in head ? taken < head.events : timestamp - first < head.spanMs;
}
