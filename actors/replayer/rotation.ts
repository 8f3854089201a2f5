/**
 * Month rotation, as the reference system's experiments used: the stream is replayed starting
 * `months` (30-day) months after its first event, and the part before that is appended after the
 * end with its timestamps shifted so stream time keeps increasing.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";

/** Length of a rotation month, ms. */
export const MONTH_MS = 30 * 86_400_000;

/** Rotates a time-ordered stream by whole months; the result is time-ordered too. */
export function rotateByMonths(events: readonly StreamEvent[], months: number): StreamEvent[] {
  if (!Number.isInteger(months) || months < 0) {
    throw new RangeError(`rotateMonths must be a non-negative integer: current value is ${months}`);
  }
  if (months === 0 || events.length === 0) return [...events];
  const first = events[0].timestamp;
  const last = events[events.length - 1].timestamp;
  const cutTime = first + months * MONTH_MS;
  if (cutTime > last) {
    throw new RangeError(
      `rotateMonths ${months} reaches past the end of a stream spanning ${
        ((last - first) / MONTH_MS).toFixed(1)
      } months`,
    );
  }
  const cut = events.findIndex((e) => e.timestamp >= cutTime);
  // The wrapped head keeps its spacing and starts one median gap after the old end.
  const shift = last - first + typicalGap(events);
  const tail = events.slice(cut);
  const head = events.slice(0, cut).map((e) => ({ ...e, timestamp: e.timestamp + shift }));
  return [...tail, ...head];
}

function typicalGap(events: readonly StreamEvent[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < events.length && gaps.length < 1001; i++) {
    gaps.push(events[i].timestamp - events[i - 1].timestamp);
  }
  gaps.sort((a, b) => a - b);
  return Math.max(1, gaps[Math.floor(gaps.length / 2)] ?? 1);
}
