/**
 * Every path a role will write, checked when it starts rather than found unwritable mid-run: the
 * storage folder (roles that write it: collector, factory, `all`) is created if missing and a
 * probe file is written and removed in it; the `--summary` file's folder is created and the file
 * opened for writing (and removed again if it did not exist). A failure is one line naming the
 * setting, the path and the reason.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { SERVICE_ROLES } from "../config/roles.ts";
import type { Role } from "../config/roles.ts";
import { ROLE_NEEDS } from "./permissions.ts";

/** A path a role cannot write. */
export class UnwritablePathError extends Error {
  override readonly name = "UnwritablePathError";
}

/** What is checked: the storage folder, and the summary file unless none or stdout (`-`). */
export interface WriteTargets {
  role: Role;
  storageDir: string;
  summaryPath: string | null;
}

/** Creates and probes every path `targets.role` will write; throws `UnwritablePathError`. */
export async function checkWritable(targets: WriteTargets): Promise<void> {
  const roles = targets.role === "all" ? SERVICE_ROLES : [targets.role];
  if (roles.some((role) => ROLE_NEEDS[role].writesStorage)) {
    await probe("storage.dir", targets.storageDir, async () => {
      await Deno.mkdir(targets.storageDir, { recursive: true });
      const file = await Deno.makeTempFile({ dir: targets.storageDir, prefix: ".write-check-" });
      await Deno.remove(file);
    });
  }
  const summary = targets.summaryPath;
  if (summary !== null && summary !== "-") {
    await probe("--summary", summary, async () => {
      await Deno.mkdir(dirname(summary), { recursive: true });
      const existed = await Deno.lstat(summary).then(() => true, () => false);
      (await Deno.open(summary, { write: true, create: true })).close();
      if (!existed) await Deno.remove(summary);
    });
  }
}

async function probe(setting: string, path: string, attempt: () => Promise<void>): Promise<void> {
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const reason = error instanceof Deno.errors.NotCapable
      ? "this process was not granted write access there (deno task start grants a role its " +
        "storage folder and its --summary file's folder)"
      : error.message;
    throw new UnwritablePathError(
      `${setting}: cannot write '${join(path)}': ${reason}`,
      { cause: error },
    );
  }
}
