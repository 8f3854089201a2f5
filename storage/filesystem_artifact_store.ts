/**
 * Artifacts as files in a folder, `<root>/<kind>/<name>`, at their `file://` URIs, which any
 * process (a training worker, an engine elsewhere on the host) can read directly. A put writes
 * a hidden temporary file and renames it into place, so readers never see half an artifact.
 * Only URIs of files directly in a kind folder under the root are accepted: a URI that leads
 * anywhere else (`..`, another scheme, a deeper path) is rejected.
 *
 * @module
 */

import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type ArtifactStore,
  checkSegment,
  foreignUri,
  isSegment,
  missingArtifact,
} from "./artifact_store.ts";

/** An artifact store in a folder (created on the first put). */
export class FilesystemArtifactStore implements ArtifactStore {
  /** The folder, as an absolute path. */
  readonly root: string;

  /** Stores artifacts under `root` (relative to the working directory when not absolute). */
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Writes `<root>/<kind>/<name>` atomically (temporary file, then rename); its file: URI. */
  async put(kind: string, name: string, bytes: Uint8Array): Promise<string> {
    checkSegment("kind", kind);
    checkSegment("name", name);
    const dir = join(this.root, kind);
    await Deno.mkdir(dir, { recursive: true });
    // Hidden, so `list` never shows it, and in the same folder, so the rename is atomic.
    const temporary = await Deno.makeTempFile({ dir, prefix: `.${name}.` });
    try {
      await Deno.writeFile(temporary, bytes);
      await Deno.rename(temporary, join(dir, name));
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
    return pathToFileURL(join(dir, name)).href;
  }

  /** The file's bytes; rejects a URI outside `<root>/<kind>/<name>`. */
  async get(uri: string): Promise<Uint8Array> {
    try {
      return await Deno.readFile(this.#pathOf(uri));
    } catch (error) {
      throw error instanceof Deno.errors.NotFound ? missingArtifact(uri) : error;
    }
  }

  /** Removes the file; a missing one is no error. */
  async delete(uri: string): Promise<void> {
    try {
      await Deno.remove(this.#pathOf(uri));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  /** file: URIs of the artifacts of `kind`, sorted by name (hidden files are left out). */
  async list(kind: string): Promise<string[]> {
    checkSegment("kind", kind);
    const dir = join(this.root, kind);
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && isSegment(entry.name)) names.push(entry.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return names.sort().map((name) => pathToFileURL(join(dir, name)).href);
  }

  /** The file a URI names, when it is `<root>/<kind>/<name>`; rejects any other URI. */
  #pathOf(uri: string): string {
    const rejected = () =>
      foreignUri(uri, `a file: URI of ${pathToFileURL(this.root).href}/<kind>/<name>`);
    let path: string;
    try {
      const url = new URL(uri);
      if (url.protocol !== "file:" || url.search !== "" || url.hash !== "") throw rejected();
      path = fileURLToPath(url);
    } catch {
      throw rejected();
    }
    const parts = relative(this.root, path).split(sep);
    if (parts.length !== 2 || !parts.every(isSegment)) throw rejected();
    return join(this.root, ...parts);
  }
}
