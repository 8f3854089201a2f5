/**
 * How state keys become storage paths, and the checks every StateStore applies to its input.
 *
 * @module
 */

import type { Schema, StateKey } from "./state_store.ts";

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** `<deployment>/state/<role>/<name>`; rejects a bad segment by name. */
export function statePath(deployment: string, key: StateKey): string {
  assertSegment("deployment", deployment);
  assertSegment("key.role", key.role);
  assertSegment("key.name", key.name);
  return `${deployment}/state/${key.role}/${key.name}`;
}

/** Rejects a segment that is empty or holds a character outside letters, digits, '.', '_', '-'. */
export function assertSegment(name: string, value: string): void {
  if (typeof value !== "string" || !SEGMENT.test(value)) {
    throw new RangeError(
      `${name} must be letters, digits, '.', '_' or '-': current value is ${JSON.stringify(value)}`,
    );
  }
}

/** Rejects a revision that is not a non-negative integer. */
export function assertRevision(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `expectedRevision must be a non-negative integer: current value is ${value}`,
    );
  }
}

/** The value as JSON text, once `schema` accepted it; names the path when it does not. */
export function encodeState<T>(path: string, value: T, schema: Schema<T>): string {
  const checked = checkedBy(schema, value, `state to write at ${path}`);
  return JSON.stringify(checked);
}

/** The stored JSON text as `T`, once `schema` accepted it; names the path when it does not. */
export function decodeState<T>(path: string, text: string, schema: Schema<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`state stored at ${path} is not JSON: ${(error as Error).message}`);
  }
  return checkedBy(schema, parsed, `state stored at ${path}`);
}

function checkedBy<T>(schema: Schema<T>, value: unknown, what: string): T {
  try {
    return schema.parse(value);
  } catch (error) {
    throw new TypeError(`${what} does not fit its schema: ${(error as Error).message}`);
  }
}
