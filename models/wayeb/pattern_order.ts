/**
 * Sets a pattern's `{order:m}` suffix. Wayeb takes the maximum depth of the prediction suffix
 * tree from the pattern file, not from an option, so each candidate order gets its own copy of
 * the pattern. The file holds one pattern; suffixes come in the order
 * `{order:m}{partitionBy:attr}{window:N}{windowType:...}`.
 *
 * @module
 */

const ORDER = /\{order:\s*\d+\s*\}/g;
const LATER_SUFFIX = /\{(?:partitionBy|window|windowType):/;

/** The pattern text with its order set to `order` (replaced, or inserted in its place). */
export function withOrder(pattern: string, order: number): string {
  if (!Number.isInteger(order) || order < 0) {
    throw new RangeError(`order must be a non-negative integer: current value is ${order}`);
  }
  const suffix = `{order:${order}}`;
  if (pattern.search(ORDER) >= 0) return pattern.replace(ORDER, suffix);
  const later = pattern.search(LATER_SUFFIX);
  if (later >= 0) return pattern.slice(0, later) + suffix + pattern.slice(later);
  const body = pattern.trimEnd();
  if (body === "") throw new RangeError("the pattern file is empty");
  return body + suffix + pattern.slice(body.length);
}
