/**
 * How a model artifact is stored: JSON, as UTF-8 bytes. The factory writes it; the engine, the
 * serving replicas and the factory's comparisons read it back.
 *
 * @module
 */

import type { ModelArtifact } from "./model.ts";

/** `artifact` as stored. */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(artifact));
}

/** The artifact stored as `bytes` at `uri`; refused, naming `uri`, unless a JSON object. */
export function decodeArtifact(bytes: Uint8Array, uri: string): ModelArtifact {
  let artifact: unknown;
  try {
    artifact = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`artifact ${uri} is not JSON: ${reason}`);
  }
  if (typeof artifact !== "object" || artifact === null || Array.isArray(artifact)) {
    throw new Error(`artifact ${uri} must be a JSON object`);
  }
  return artifact as ModelArtifact;
}
