/**
 * Records suspected of crashing an actor: those of a batch whose handling crashed it. The
 * supervisor keeps them across the actor's restarts, so the next incarnation's mailbox handles
 * each suspect alone and dead-letters the one that fails again instead of crashing on it: the
 * same record never crashes a role twice.
 *
 * @module
 */

import type { ConsumedRecord } from "../../transport/transport.ts";

/** Suspect offsets per consumer group, topic and partition. */
export class Suspects {
  /** Highest suspect offset, by `group/topic/partition`. */
  readonly #upTo = new Map<string, number>();

  /** Marks the records of a batch whose handling crashed the actor. */
  mark(group: string, records: readonly ConsumedRecord[]): void {
    for (const record of records) {
      const key = keyOf(group, record);
      this.#upTo.set(key, Math.max(this.#upTo.get(key) ?? -1, record.offset));
    }
  }

  /** Whether `record` may be one that crashed the actor. */
  has(group: string, record: ConsumedRecord): boolean {
    // Asked of every record a child is handed (a fleet's thousand children each): mostly none.
    if (this.#upTo.size === 0) return false;
    return record.offset <= (this.#upTo.get(keyOf(group, record)) ?? -1);
  }

  /** `record` was handled (or dead-lettered): it and its predecessors are no longer suspect. */
  clear(group: string, record: ConsumedRecord): void {
    const key = keyOf(group, record);
    if (record.offset >= (this.#upTo.get(key) ?? -1)) this.#upTo.delete(key);
  }
}

function keyOf(group: string, record: ConsumedRecord): string {
  return `${group}/${record.topic}/${record.partition}`;
}
