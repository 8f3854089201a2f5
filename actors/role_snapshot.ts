/**
 * Restoring a role's snapshot: the snapshot is plain data from outside the role (its predecessor,
 * or a durable store), so it is validated against the role's schema before the role trusts it.
 * Also the schemas of the domain records several roles' snapshots hold.
 *
 * @module
 */

import { z } from "zod";

/** A snapshot that does not match its role's schema; names the role and the first bad field. */
export class SnapshotError extends Error {
  /** The role whose snapshot was rejected. */
  readonly role: string;

  /** `field` is the dotted path of the bad value ("" for the snapshot itself). */
  constructor(role: string, field: string, problem: string) {
    super(`${role} snapshot rejected: ${field === "" ? "the snapshot" : field}: ${problem}`);
    this.name = "SnapshotError";
    this.role = role;
  }
}

/** Parses `value` as `role`'s snapshot; throws a `SnapshotError` naming the first bad field. */
export function parseSnapshot<T>(role: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SnapshotError(role, issue.path.map(String).join("."), issue.message);
}

/** A count: a non-negative integer. */
export const countSchema = z.number().int().nonnegative();

/** `HyperParameters` as a snapshot holds them. */
export const hyperParametersSchema = z.strictObject({
  order: z.number(),
  threshold: z.number(),
  pMin: z.number(),
  gamma: z.number(),
  alpha: z.number(),
  r: z.number(),
});

/** `Scores` as a snapshot holds them. */
export const scoresSchema = z.strictObject({
  tp: z.number(),
  tn: z.number(),
  fp: z.number(),
  fn: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  specificity: z.number(),
  mcc: z.number(),
});
