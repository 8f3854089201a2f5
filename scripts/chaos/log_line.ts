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

/**
 * The role a log line says its process now leads (`actors/leadership.ts` logs
 * `retune.<category>: leading <role>`, then the line's properties), if it is such a line.
 */
export function ledRole(line: string): string | undefined {
  return line.match(/ retune\.[\w.]+: leading (\w+)(?:\s|$)/)?.[1];
}

/**
 * The role a log line says its process no longer leads (`actors/leadership.ts` logs
 * `retune.<category>: left the <role> leadership: <reason>`), if it is such a line.
 */
export function leftRole(line: string): string | undefined {
  return line.match(/ retune\.[\w.]+: left the (\w+) leadership(?::|\s|$)/)?.[1];
}
