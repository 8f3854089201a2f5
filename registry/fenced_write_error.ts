/**
 * The refusal of a write by a holder that lost what fenced it (a deposed leader, an ended lease).
 *
 * @module
 */

import type { FencingToken } from "./registry.ts";

/** A commit refused because its fencing token no longer holds. */
export class FencedWriteError extends Error {
  override readonly name = "FencedWriteError";
  readonly fence: FencingToken;

  /** Names the holder and the key that no longer holds. */
  constructor(fence: FencingToken) {
    super(
      `write refused: ${fence.holder} no longer holds ${fence.key} (created at revision ${fence.revision})`,
    );
    this.fence = fence;
  }
}
