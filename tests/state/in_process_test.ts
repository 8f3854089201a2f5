import assert from "node:assert/strict";
import { z } from "zod";
import { InProcessStateStore } from "../../state/in_process.ts";
import type { StateStore } from "../../state/state_store.ts";
import { stateStoreContract } from "./state_store_contract.ts";

/** In-process stores of one deployment share its memory, as one process's roles do. */
const deployments = new Map<string, StateStore>();

stateStoreContract({
  name: "InProcessStateStore",
  deployment(name) {
    return () => {
      const store = deployments.get(name) ?? new InProcessStateStore(name);
      deployments.set(name, store);
      return store;
    };
  },
  permissions: "none",
});

Deno.test(
  "a closed InProcessStateStore refuses further calls",
  { permissions: "none" },
  async () => {
    const store = new InProcessStateStore("closing");
    await store.close();
    await assert.rejects(store.get({ role: "r", name: "n" }, z.number()), /is closed/);
  },
);

Deno.test("InProcessStateStore rejects a bad deployment by name", { permissions: "none" }, () => {
  assert.throws(() => new InProcessStateStore("a/b"), /deployment must be letters/);
});
