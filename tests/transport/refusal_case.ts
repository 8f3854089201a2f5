/**
 * What a Kafka transport's caller sees when the broker refuses a record for its size: a failure
 * the supervisor takes for the batch's fault, so the mailbox dead-letters the record at fault
 * instead of restarting on it (or stopping the role) again and again.
 *
 * @module
 */

import assert from "node:assert/strict";
import { classify } from "../../actors/runtime/failure.ts";
import type { ContractSetup } from "./partition_contract.ts";

/** Publishes one 2 MiB record (the broker takes 1 MiB) and classifies the refusal. */
export async function oversizedRecordCase(setup: ContractSetup): Promise<void> {
  const topic = await setup.topic(1);
  const transport = setup.transport();
  try {
    const refused = await transport
      .publish(topic, [{ key: "k", value: new Uint8Array(2 * 1024 * 1024) }])
      .then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof Error, "the broker refused the record");
    assert.deepEqual(classify(refused), { kind: "crash", service: "kafka" });
  } finally {
    await transport.close();
  }
}
