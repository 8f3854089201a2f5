/**
 * The engine's reading of its changelog (`topics.engineChangelog`): the newest checkpoint of each
 * input partition, so that a partition assigned to this engine resumes from the checkpoint that
 * matches the offset its group committed. A checkpoint is written with every handled batch and
 * before (at least once) or with (exactly once) the batch's offset commit, so one at or past the
 * committed offset always comes; the wait for it is bounded by `engine.restoreDeadlineMs` (a
 * changelog deleted or never written) and by the engine stopping.
 *
 * @module
 */

import { decodePayload } from "../../protocol/codec.ts";
import type { EngineCheckpoint } from "../../protocol/messages.ts";
import type { ConsumedRecord } from "../../transport/transport.ts";

/** The newest checkpoint per input partition, fed from the changelog. */
export class CheckpointTail {
  readonly #newest = new Map<number, EngineCheckpoint>();
  #arrived: PromiseWithResolvers<void> = Promise.withResolvers();

  /** A tail that already knows `known` (what a restarted engine's predecessor had read). */
  constructor(known: readonly EngineCheckpoint[] = []) {
    for (const checkpoint of known) this.#keep(checkpoint);
  }

  /** Takes changelog records; a checkpoint behind the one known for its partition is ignored. */
  take(records: readonly ConsumedRecord[]): void {
    for (const record of records) this.#keep(decodePayload("EngineCheckpoint", record.value));
    this.#arrived.resolve();
    this.#arrived = Promise.withResolvers();
  }

  /** Every partition's newest checkpoint. */
  known(): EngineCheckpoint[] {
    return [...this.#newest.values()];
  }

  /**
   * The checkpoint of `partition` at or past offset `atLeast`, once it arrived; null when none
   * arrived within `deadlineMs` or `signal` aborted first.
   */
  async reach(
    partition: number,
    atLeast: number,
    deadlineMs: number,
    signal: AbortSignal,
  ): Promise<EngineCheckpoint | null> {
    const deadline = performance.now() + deadlineMs;
    for (;;) {
      const newest = this.#newest.get(partition);
      if (newest !== undefined && newest.offset >= atLeast) return newest;
      const left = deadline - performance.now();
      if (left <= 0 || signal.aborted) return null;
      const woken = Promise.withResolvers<void>();
      const timer = setTimeout(woken.resolve, left);
      const onAbort = () => woken.resolve();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        await Promise.race([this.#arrived.promise, woken.promise]);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      }
    }
  }

  #keep(checkpoint: EngineCheckpoint): void {
    const known = this.#newest.get(checkpoint.partition);
    if (known === undefined || checkpoint.offset >= known.offset) {
      this.#newest.set(checkpoint.partition, checkpoint);
    }
  }
}
