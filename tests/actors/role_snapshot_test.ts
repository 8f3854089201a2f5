import assert from "node:assert/strict";
import { z } from "zod";
import { parseSnapshot, SnapshotError } from "../../actors/role_snapshot.ts";

const schema = z.strictObject({
  sent: z.number().int(),
  nested: z.strictObject({ at: z.string() }),
});

Deno.test("parseSnapshot returns data that matches the schema", () => {
  const data = { sent: 3, nested: { at: "x" } };
  assert.deepEqual(parseSnapshot("replayer", schema, data), data);
});

Deno.test("parseSnapshot names the role and the dotted path of the first bad field", () => {
  assert.throws(
    () => parseSnapshot("replayer", schema, { sent: 3, nested: { at: 4 } }),
    (error) =>
      error instanceof SnapshotError && error.role === "replayer" &&
      /^replayer snapshot rejected: nested\.at: /.test(error.message),
  );
  assert.throws(
    () => parseSnapshot("replayer", schema, "not a snapshot"),
    /^SnapshotError: replayer snapshot rejected: the snapshot: /,
  );
});
