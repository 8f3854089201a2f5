/**
 * Artifacts held in this process's memory, for one-process runs and tests, at URIs
 * `memory://<kind>/<name>`. Bytes are copied in and out, so callers cannot change what is
 * stored.
 *
 * @module
 */

import {
  type ArtifactStore,
  checkSegment,
  foreignUri,
  isSegment,
  missingArtifact,
} from "./artifact_store.ts";

const URI = /^memory:\/\/([^/]+)\/([^/]+)$/;

/** An artifact store in memory. */
export class MemoryArtifactStore implements ArtifactStore {
  /** Bytes by URI. */
  readonly #artifacts = new Map<string, Uint8Array>();

  /** Keeps a copy of `bytes` at `memory://<kind>/<name>`; that URI. */
  put(kind: string, name: string, bytes: Uint8Array): Promise<string> {
    return Promise.try(() => {
      checkSegment("kind", kind);
      checkSegment("name", name);
      const uri = `memory://${kind}/${name}`;
      this.#artifacts.set(uri, bytes.slice());
      return uri;
    });
  }

  /** A copy of the bytes at `uri`. */
  get(uri: string): Promise<Uint8Array> {
    return Promise.try(() => {
      const bytes = this.#artifacts.get(checked(uri));
      if (bytes === undefined) throw missingArtifact(uri);
      return bytes.slice();
    });
  }

  /** Forgets the artifact at `uri`; a missing one is no error. */
  delete(uri: string): Promise<void> {
    return Promise.try(() => {
      this.#artifacts.delete(checked(uri));
    });
  }

  /** URIs of the artifacts of `kind`, sorted. */
  list(kind: string): Promise<string[]> {
    return Promise.try(() => {
      checkSegment("kind", kind);
      const prefix = `memory://${kind}/`;
      return [...this.#artifacts.keys()].filter((uri) => uri.startsWith(prefix)).sort();
    });
  }
}

function checked(uri: string): string {
  const [, kind, name] = uri.match(URI) ?? [];
  if (kind === undefined || !isSegment(kind) || !isSegment(name)) {
    throw foreignUri(uri, "memory://<kind>/<name>");
  }
  return uri;
}
