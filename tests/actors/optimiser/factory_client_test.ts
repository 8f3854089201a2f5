import assert from "node:assert/strict";
import type { FactoryCommand } from "../../../protocol/messages.ts";
import { FactoryClient } from "../../../actors/optimiser/factory_client.ts";

Deno.test("a closed FactoryClient rejects waiting and later requests, but still sends opt_abort", async () => {
  const sent: FactoryCommand[] = [];
  const client = new FactoryClient((command) => {
    sent.push(command);
    return Promise.resolve();
  });
  const waiting = client.request({ kind: "opt_init", runId: "r" }, 60_000);
  assert.equal(client.waiting, 1);

  client.close("optimiser stopping");
  await assert.rejects(waiting, /^Error: optimiser stopping$/);
  await assert.rejects(client.request({ kind: "opt_init", runId: "r" }, 60_000), /stopping/);
  assert.equal(client.waiting, 0);
  assert.deepEqual(sent.map((command) => command.kind), ["opt_init"], "nothing sent once closed");

  await client.abort("r", "optimiser stopping");
  assert.deepEqual(sent.map((command) => command.kind), ["opt_init", "opt_abort"]);
});
