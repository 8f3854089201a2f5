/**
 * Folders for filesystem stores under tests: one temporary root per test file, a fresh folder in
 * it for each store, and the permissions a store needs (its folder and nothing else).
 *
 * @module
 */

import { tempDirForProcess } from "../fixtures/temp_dir.ts";

/** Folders under a new temporary root named by `prefix`. */
export function storeFolders(prefix: string): {
  fresh: () => string;
  permissions: Deno.PermissionOptionsObject;
} {
  const root = tempDirForProcess(prefix);
  let count = 0;
  return {
    fresh: () => `${root}/${count++}`,
    permissions: { read: [root], write: [root] },
  };
}
