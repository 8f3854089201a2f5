/**
 * What an operator does to a running deployment, from the chaos harness: asks for an
 * optimisation by publishing an `optimise` instruction on the instructions topic, as
 * `POST /api/instructions` does.
 *
 * @module
 */

import type { Producer } from "kafkajs";
import type { RetuneConfig } from "../../config/schema.ts";
import { encodeEnvelope, newEnvelope } from "../../protocol/codec.ts";
import { kafkaClient } from "../topics.ts";

/** A connected operator of one deployment. */
export class Operator {
  readonly #producer: Producer;
  readonly #topic: string;

  private constructor(producer: Producer, topic: string) {
    this.#producer = producer;
    this.#topic = topic;
  }

  /** Connects to the deployment's brokers. */
  static async connect(config: RetuneConfig): Promise<Operator> {
    const producer = kafkaClient(config).producer();
    await producer.connect();
    return new Operator(producer, config.topics.instructions.name);
  }

  /** Asks the optimiser for an optimisation, as the observer would. */
  async optimise(): Promise<void> {
    const instruction = { action: "optimise" as const, reason: "chaos: asked", reportId: -1 };
    await this.#producer.send({
      topic: this.#topic,
      messages: [{
        value: Buffer.from(encodeEnvelope(newEnvelope("Instruction", "chaos", instruction))),
      }],
    });
  }

  /** Disconnects. */
  async close(): Promise<void> {
    await this.#producer.disconnect();
  }
}
