/**
 * Reading Retune's text log lines (`2026-12-06 01:16:26.921 +00 INF retune.collector: ...`).
 *
 * @module
 */

/** The time a text log line begins with (`2026-12-06 01:16:26.921 +00 INF ...`), epoch ms. */
export function loggedAt(line: string): number | undefined {
  const match = line.match(
    /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(?::?(\d\d))?\s/,
  );
  if (match === null) return undefined;
  const [, date, time, hours, minutes = "00"] = match;
  const at = Date.parse(`${date}T${time}${hours}:${minutes}`);
  return Number.isNaN(at) ? undefined : at;
}
