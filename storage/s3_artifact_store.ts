/**
 * Artifacts as objects, `<prefix>artifacts/<kind>/<name>`, at their `s3://<bucket>/<key>` URIs,
 * which any process with the store's location can read, on any machine. An object is written
 * whole by one request, so readers never see half an artifact. Only URIs of objects directly in
 * a kind under this store's prefix are accepted.
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
import type { S3Location } from "./s3_objects.ts";
import { S3Objects } from "./s3_objects.ts";

/** An artifact store in an S3 bucket. */
export class S3ArtifactStore implements ArtifactStore {
  readonly #objects: S3Objects;
  /** Every URI of this store starts so. */
  readonly #base: string;

  /** Stores artifacts under `location`'s prefix. */
  constructor(location: S3Location) {
    this.#objects = new S3Objects(location);
    this.#base = `s3://${location.bucket}/${location.prefix}artifacts/`;
  }

  /** Writes object `artifacts/<kind>/<name>`; its s3: URI. */
  async put(kind: string, name: string, bytes: Uint8Array): Promise<string> {
    checkSegment("kind", kind);
    checkSegment("name", name);
    await this.#objects.put(`artifacts/${kind}/${name}`, bytes);
    return `${this.#base}${kind}/${name}`;
  }

  /** The object's bytes; rejects a URI outside this store. */
  async get(uri: string): Promise<Uint8Array> {
    const bytes = await this.#objects.get(this.#keyOf(uri));
    if (bytes === undefined) throw missingArtifact(uri);
    return bytes;
  }

  /** Deletes the object; a missing one is no error. */
  async delete(uri: string): Promise<void> {
    await this.#objects.delete(this.#keyOf(uri));
  }

  /** s3: URIs of the artifacts of `kind`, sorted by name. */
  async list(kind: string): Promise<string[]> {
    checkSegment("kind", kind);
    const keys = await this.#objects.list(`artifacts/${kind}/`);
    return keys.filter(isSegment).map((name) => `${this.#base}${kind}/${name}`);
  }

  /** The key a URI names, when it is `<base><kind>/<name>`; rejects any other URI. */
  #keyOf(uri: string): string {
    const parts = uri.startsWith(this.#base) ? uri.slice(this.#base.length).split("/") : [];
    if (parts.length !== 2 || !parts.every(isSegment)) {
      throw foreignUri(uri, `an s3: URI ${this.#base}<kind>/<name>`);
    }
    return `artifacts/${parts[0]}/${parts[1]}`;
  }
}
