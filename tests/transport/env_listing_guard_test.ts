import assert from "node:assert/strict";
import process from "node:process";
import { withEnvListingGuarded } from "../../transport/env_listing_guard.ts";

Deno.test({
  name: "while a module loads, listing a scoped environment yields no names; reading is unchanged",
  permissions: { env: ["DEBUG", "NODE_ENV"] },
  async fn() {
    const env = process.env;
    assert.throws(() => Object.keys(process.env), Deno.errors.NotCapable);
    const seen = await withEnvListingGuarded(() =>
      Promise.resolve({ names: Object.keys(process.env), debug: process.env.DEBUG })
    );
    assert.deepEqual(seen, { names: [], debug: Deno.env.get("DEBUG") });
    assert.equal(process.env, env, "process.env is put back");
    await withEnvListingGuarded(() => {
      assert.throws(() => process.env.HOME, Deno.errors.NotCapable);
      return Promise.resolve();
    });
  },
});
