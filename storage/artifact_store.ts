/**
 * Where the factory keeps assembled datasets and trained models, and where the engine loads
 * models from. An artifact is named by a kind (`datasets`, `models`) and a name (`v7.json`), and
 * addressed by the URI `put` returns (`file:///abs/path/models/v7.json`, `memory://models/v7.json`):
 * the URI is what travels in messages and the registry.
 *
 * @module
 */

/** Artifact storage: filesystem (`filesystem_artifact_store.ts`) or in-process (`memory_artifact_store.ts`). */
export interface ArtifactStore {
  /** Stores `bytes` as artifact `name` of `kind`, replacing any of that name; its URI. */
  put(kind: string, name: string, bytes: Uint8Array): Promise<string>;
  /** The bytes at `uri`; rejects with `Deno.errors.NotFound` when nothing is stored there. */
  get(uri: string): Promise<Uint8Array>;
  /** Deletes the artifact at `uri`; deleting a missing one does nothing. */
  delete(uri: string): Promise<void>;
  /** URIs of the artifacts of `kind`, sorted by name. */
  list(kind: string): Promise<string[]>;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** True when `value` can be a kind or a name: one path segment that is not hidden or `..`. */
export function isSegment(value: string): boolean {
  return SEGMENT.test(value);
}

/** Rejects a kind or name that is not such a segment. */
export function checkSegment(parameter: "kind" | "name", value: string): void {
  if (!isSegment(value)) {
    throw new RangeError(
      `${parameter} must be 1 to 255 letters, digits, '.', '_' or '-', starting with a letter ` +
        `or digit: current value is '${value}'`,
    );
  }
}

/** The error for a URI that names no artifact this store could hold. */
export function foreignUri(uri: string, expected: string): RangeError {
  return new RangeError(`uri must be ${expected}: current value is '${uri}'`);
}

/** The error for an artifact that is not stored. */
export function missingArtifact(uri: string): Deno.errors.NotFound {
  return new Deno.errors.NotFound(`no artifact at ${uri}`);
}
