/**
 * An input batch split by fleet model in one pass: each event goes to the models whose key
 * selector takes its key (through `KeyRoutes`, as the engine's router), and each model gets
 * its events as a record of its own at the batch's place (topic, partition, offset). The fleet
 * bus hands each per-model child only its part, so a thousand collectors cost one pass over the
 * input, not a thousand.
 *
 * @module
 */

import type { KeySelector } from "../../models/model.ts";
import { KeyRoutes } from "../../models/key_routes.ts";
import type { StreamEvent } from "../../core/events.ts";
import type { ConsumedRecord } from "../../transport/transport.ts";
import { decodeData, encodeData } from "../../protocol/codec.ts";

/** A fleet model as the split sees it. */
export interface SplitModel {
  name: string;
  select: KeySelector;
}

/** Splits input records by the models their events' keys belong to. */
export class InputSplit {
  readonly #routes: KeyRoutes<string>;

  /** Rejects an empty fleet or two models of one name. */
  constructor(models: readonly SplitModel[]) {
    if (models.length === 0) {
      throw new RangeError("models of an input split must not be empty: current value is []");
    }
    const names = new Set(models.map((m) => m.name));
    if (names.size !== models.length) {
      throw new RangeError(
        `models of an input split must have distinct names: current value is ` +
          `${models.map((m) => m.name).join(", ")}`,
      );
    }
    const selectorOf = new Map(models.map((m) => [m.name, m.select]));
    this.#routes = new KeyRoutes([...selectorOf.keys()], (name) => selectorOf.get(name)!);
  }

  /** The models whose selector takes `key`, in the fleet's order. */
  modelsOf(key: string): readonly string[] {
    return this.#routes.of(key);
  }

  /**
   * Each model's part of an input batch record (models taking none of its events have none); a
   * model taking every event gets the record itself. Throws a DecodeError when it does not
   * decode.
   */
  parts(record: ConsumedRecord): Map<string, ConsumedRecord> {
    const { events } = decodeData("StreamEventBatch", record.value);
    const byModel = new Map<string, StreamEvent[]>();
    for (const event of events) {
      for (const model of this.modelsOf(event.key)) {
        let part = byModel.get(model);
        if (part === undefined) byModel.set(model, part = []);
        part.push(event);
      }
    }
    const parts = new Map<string, ConsumedRecord>();
    for (const [model, part] of byModel) {
      parts.set(
        model,
        part.length === events.length
          ? record
          : { ...record, value: encodeData("StreamEventBatch", { events: part }) },
      );
    }
    return parts;
  }
}
