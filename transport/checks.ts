/**
 * The up-front checks both transports make of what they are given, so a bad option fails the
 * same way, with the same message, whichever transport runs.
 *
 * @module
 */

import type { SubscribeOptions } from "./transport.ts";

/** Largest batch handed to a handler when a subscription does not say. */
export const DEFAULT_MAX_BATCH = 500;

/** Requires a positive integer; the error names `name` and the value. */
export function requirePositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive integer: current value is ${value}`);
  }
}

/** `options` checked (a group, some topics, a positive `maxBatch`), with the defaults filled in. */
export function checkedSubscribeOptions(options: SubscribeOptions): Required<SubscribeOptions> {
  const {
    group,
    topics,
    start = "earliest",
    maxBatch = DEFAULT_MAX_BATCH,
    handler,
    onAssigned = noCallback,
    onRevoked = noCallback,
    transactional = false,
  } = options;
  if (group.length === 0) {
    throw new RangeError(`group must be a non-empty string: current value is ''`);
  }
  if (topics.length === 0) throw new RangeError(`topics must not be empty: current value is []`);
  requirePositiveInteger("maxBatch", maxBatch);
  return { group, topics, start, maxBatch, handler, onAssigned, onRevoked, transactional };
}

function noCallback(): Promise<void> {
  return Promise.resolve();
}
