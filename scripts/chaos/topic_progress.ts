/**
 * Samples the end offsets of every topic of the deployment once a second, summed over
 * partitions and keyed by topic purpose (`input`, `output`, ...), and per partition: the record of which role wrote
 * what when, for the wedge check. A sample the broker does not answer in time (paused) is skipped.
 *
 * @module
 */

import type { Admin } from "kafkajs";
import type { RetuneConfig } from "../../config/schema.ts";
import { kafkaClient } from "../topics.ts";
import { withTimeout } from "./ledger_watch.ts";
import type { OffsetSample } from "./observations.ts";

const SAMPLE_MS = 1_000;

/** The offsets sampled so far. */
export class TopicProgress {
  readonly samples: OffsetSample[] = [];
  readonly #admin: Admin;
  readonly #topics: [string, string][];
  #stopped = false;
  #loop: Promise<void> = Promise.resolve();

  private constructor(config: RetuneConfig) {
    this.#admin = kafkaClient(config).admin();
    this.#topics = Object.entries(config.topics).map(([purpose, topic]) => [purpose, topic.name]);
  }

  /** Connects and starts sampling. */
  static async start(config: RetuneConfig): Promise<TopicProgress> {
    const progress = new TopicProgress(config);
    await progress.#admin.connect();
    progress.#loop = progress.#sample();
    return progress;
  }

  /** Whether the topic of `purpose` grew over the samples of the last `ms`. */
  grewWithin(purpose: string, ms: number): boolean {
    const last = this.samples.at(-1);
    const first = this.samples.find((s) => s.at >= Date.now() - ms);
    if (last === undefined || first === undefined || first === last) return false;
    return (last.offsets[purpose] ?? 0) > (first.offsets[purpose] ?? 0);
  }

  /** When the topic of `purpose` last grew (the sample that saw it), if it did. */
  lastGrewAt(purpose: string): number | undefined {
    return lastGrowth(this.samples, purpose);
  }

  /** Stops sampling and disconnects. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    await this.#admin.disconnect();
  }

  async #sample(): Promise<void> {
    while (!this.#stopped) {
      const at = Date.now();
      try {
        const ends = await withTimeout(
          Promise.all(this.#topics.map(async ([purpose, name]) => {
            const partitions = await this.#admin.fetchTopicOffsets(name);
            const byPartition: number[] = [];
            for (const { partition, high } of partitions) byPartition[partition] = Number(high);
            return [purpose, byPartition] as const;
          })),
          3_000,
        );
        const offsets = Object.fromEntries(
          ends.map(([purpose, byPartition]) => [purpose, byPartition.reduce((a, b) => a + b, 0)]),
        );
        this.samples.push({ at, offsets, partitions: Object.fromEntries(ends) });
      } catch {
        // The broker is paused or busy: no sample this time.
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  }
}

/** The time of the last sample in which the topic of `purpose` grew over the one before. */
export function lastGrowth(samples: readonly OffsetSample[], purpose: string): number | undefined {
  for (let i = samples.length - 1; i > 0; i--) {
    if ((samples[i].offsets[purpose] ?? 0) > (samples[i - 1].offsets[purpose] ?? 0)) {
      return samples[i].at;
    }
  }
  return undefined;
}
