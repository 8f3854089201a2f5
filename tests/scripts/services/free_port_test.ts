import assert from "node:assert/strict";
import { freePorts } from "../../../scripts/services/free_port.ts";

Deno.test("freePorts gives distinct loopback ports that can be bound", {
  permissions: { net: ["127.0.0.1"] },
}, () => {
  const ports = freePorts(3);
  assert.equal(new Set(ports).size, 3);
  const listeners = ports.map((port) => Deno.listen({ hostname: "127.0.0.1", port }));
  for (const listener of listeners) listener.close();
});

Deno.test("freePorts rejects a count that is not a positive integer", {
  permissions: "none",
}, () => {
  assert.throws(() => freePorts(0), {
    name: "RangeError",
    message: "count must be a positive integer: current value is 0",
  });
  assert.throws(() => freePorts(1.5), { name: "RangeError" });
});
