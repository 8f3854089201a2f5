/**
 * A retrain policy's state over the series it was shown, as plain JSON data, so the observer can
 * keep it across a restart; restoring checks it against the policy's schema first.
 *
 * @module
 */

import type { z } from "zod";

/** A policy's state: plain JSON data that only a policy of the same configuration restores. */
export type PolicyState = unknown;

/** Parses `state` as `policy`'s state; throws a RangeError naming the first bad field. */
export function parsePolicyState<T>(policy: string, schema: z.ZodType<T>, state: unknown): T {
  const result = schema.safeParse(state);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length === 0 ? "the state" : issue.path.map(String).join(".");
  throw new RangeError(`${policy} policy state rejected: ${field}: ${issue.message}`);
}
