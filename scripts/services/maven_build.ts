/**
 * A folder built once by Maven from a pom and kept in `.cache/`: built again only when the pom
 * changes (its SHA-256 is stamped in the folder), built beside the cache and renamed into place,
 * so no run ever sees half a build.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { basename, dirname } from "node:path";

/**
 * `dir`, made by `build` unless a build from this exact `pom` is already there. `build` gets an
 * empty staging folder beside `dir` and returns the folder (in it) to put in place.
 */
export async function builtOnce(
  pom: string,
  dir: string,
  what: string,
  build: (staging: string) => Promise<string>,
): Promise<string> {
  const wanted = await sha256(await Deno.readFile(pom));
  const stamp = `${dir}/.pom-sha256`;
  const cachedStamp = () => Deno.readTextFile(stamp).catch(() => undefined);
  if (await cachedStamp() === wanted) return dir;
  console.error(`${what} with Maven into ${dir} (once)`);
  await Deno.mkdir(dirname(dir), { recursive: true });
  const staging = await Deno.makeTempDir({ dir: dirname(dir), prefix: `${basename(dir)}-` });
  try {
    const built = await build(staging);
    await Deno.writeTextFile(`${built}/.pom-sha256`, wanted);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(built, dir).catch(async (error) => {
      // Another run may have put the same build in place meanwhile.
      if (await cachedStamp() !== wanted) throw error;
    });
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
  return dir;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Buffer.from(digest).toString("hex");
}
