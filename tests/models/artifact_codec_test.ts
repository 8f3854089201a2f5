import assert from "node:assert/strict";
import { decodeArtifact, encodeArtifact } from "../../models/artifact_codec.ts";

Deno.test("an artifact reads back as stored; bytes that are no JSON object are refused, naming where", () => {
  const artifact = { format: "cef/1", order: 2, tree: [1, 2] };
  assert.deepEqual(decodeArtifact(encodeArtifact(artifact), "mem://v1.json"), artifact);
  assert.throws(
    () => decodeArtifact(new TextEncoder().encode("{"), "mem://v2.json"),
    /artifact mem:\/\/v2.json is not JSON: /,
  );
  assert.throws(
    () => decodeArtifact(new TextEncoder().encode("[1]"), "mem://v3.json"),
    /artifact mem:\/\/v3.json must be a JSON object/,
  );
});
