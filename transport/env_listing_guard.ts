/**
 * Loading an npm module under a role's scoped environment permission. Some list `process.env`
 * as they load (`debug`, which `@platformatic/kafka` uses, looks for its `DEBUG_*` options
 * there), and Deno refuses a listing unless every variable may be read. While such a module
 * loads, a listing yields no names instead; reading a variable by name is unchanged, and still
 * only what the permission grants.
 *
 * @module
 */

import process from "node:process";

/** Runs `load` with listing the environment made harmless, then puts `process.env` back. */
export async function withEnvListingGuarded<T>(load: () => Promise<T>): Promise<T> {
  const env = process.env;
  // A proxy of its own target: a proxy of `env` itself would still list `env` to check its
  // answer against the target, and be refused the same way.
  const guarded = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_, name) => Reflect.get(env, name),
    set: (_, name, value) => Reflect.set(env, name, value),
    has: (_, name) => Reflect.has(env, name),
    deleteProperty: (_, name) => Reflect.deleteProperty(env, name),
    ownKeys: () => listed(() => Reflect.ownKeys(env), []),
    getOwnPropertyDescriptor: (_, name) =>
      listed(() => Reflect.getOwnPropertyDescriptor(env, name), undefined),
  });
  const place = (value: NodeJS.ProcessEnv) =>
    Object.defineProperty(process, "env", {
      value,
      configurable: true,
      writable: true,
      enumerable: true,
    });
  place(guarded);
  try {
    return await load();
  } finally {
    place(env);
  }
}

/** `read()`, or `refused` where the permission does not cover the whole environment. */
function listed<T>(read: () => T, refused: T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return refused;
    throw error;
  }
}
