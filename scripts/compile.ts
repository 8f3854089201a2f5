/**
 * `deno task compile [--role=<role>] [--config=<file>]`: one self-contained binary per role,
 * `out/retune-<role>` under the working directory, compiled from `main.ts` with exactly the
 * permissions the role needs (`deploy/permissions.ts`) and the role baked in as its first argument.
 * Permissions depend on the deployment (storage folder, model kind, network use), taken from
 * `--config` or the built-in default. Each role gets one line, `<role>: ok: <binary>` or
 * `<role>: FAILED: <reason>`; the exit status is 1 if any failed.
 *
 * A binary is the Deno runtime (`denort`, about 70 MB, of the same version as `deno`) with the
 * program embedded. `deno compile` downloads that runtime from dl.deno.land the first time and
 * caches it in DENO_DIR, so build on a machine that reaches
 * `https://dl.deno.land/release/v<deno version>/denort-<target>.zip` once (later builds work
 * offline), or point the `DENORT_BIN` environment variable at an unzipped `denort` of the same
 * version, e.g. `DENORT_BIN=$HOME/denort deno task compile`. Without either every role fails with
 * the reason, and the remaining roles are not attempted.
 *
 * `--config` needs environment access (the yaml parser and the overrides read variables), which the
 * `compile` task does not grant; run this script with `--allow-env` added to use it.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { denoFlags, deploymentOf, permissionsFor, workerModules } from "../deploy/permissions.ts";
import { defaultConfig, loadConfig } from "../config/load.ts";
import { isRole, type Role, ROLES, SERVICE_ROLES } from "../config/roles.ts";
import type { RetuneConfig } from "../config/schema.ts";

const ENTRY = fileURLToPath(new URL("../main.ts", import.meta.url));
const OUT_DIR = "out";

/** The `deno compile` arguments for one role's binary. */
export function compileArgs(
  role: Role,
  config: RetuneConfig,
  configPath: string | null = null,
): string[] {
  const flags = denoFlags(permissionsFor(role, deploymentOf(config, { configPath })));
  const includes = workerModules(role === "all" ? SERVICE_ROLES : [role])
    .flatMap((path) => ["--include", path]);
  return [
    "compile",
    ...flags,
    ...includes,
    "--output",
    `${OUT_DIR}/retune-${role}`,
    ENTRY,
    `--role=${role}`,
  ];
}

const HELP = `Usage: deno task compile [--role=<role>] [--config=<file>]

Builds one self-contained binary per role, ${OUT_DIR}/retune-<role>, with exactly the Deno
permissions the role needs (deploy/permissions.ts) and the role baked in.

Options:
  --role=<role>    ${ROLES.join(" | ")} (default: every role)
  --config=<file>  the deployment whose storage folder and model kind set the permissions
                   (default: the built-in configuration; needs --allow-env added to the task)
  -h, --help       show this text

DENORT_BIN=<path to denort> builds offline (otherwise fetched once from dl.deno.land).`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.role !== undefined && !isRole(values.role)) {
    console.error(`--role must be one of ${ROLES.join(", ")}: current value is '${values.role}'`);
    return 2;
  }
  const config = await configFrom(values.config);
  const roles: readonly Role[] = values.role === undefined ? ROLES : [values.role];
  let compiled = 0;
  let runtimeMissing: string | null = null;
  for (const role of roles) {
    if (runtimeMissing !== null) {
      console.error(`${role}: FAILED: not attempted, ${runtimeMissing}`);
      continue;
    }
    const result = await new Deno.Command("deno", {
      // "deno" from PATH: the compile task may run exactly that program.
      args: compileArgs(role, config, values.config ?? null),
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (result.success) {
      compiled++;
      console.log(`${role}: ok: ${OUT_DIR}/retune-${role}`);
      continue;
    }
    const failure = compileFailure(new TextDecoder().decode(result.stderr));
    console.error(`${role}: FAILED: ${failure.reason}`);
    if (failure.runtimeMissing) runtimeMissing = failure.reason;
  }
  console.log(`${compiled} of ${roles.length} binaries compiled`);
  if (runtimeMissing !== null) {
    console.error(
      `deno compile embeds the Deno runtime (denort ${Deno.version.deno}): build once where ` +
        `dl.deno.land is reachable (it is cached in DENO_DIR) or set DENORT_BIN to a denort binary`,
    );
  }
  return compiled === roles.length ? 0 : 1;
}

/** Why `deno compile` failed, from its error output. */
export interface CompileFailure {
  /** One line. */
  reason: string;
  /** The runtime binary could not be had: every other compilation would fail the same way. */
  runtimeMissing: boolean;
}

/**
 * Reads deno compile's error output (`error: <what>`, then a numbered `Caused by:` chain, most
 * specific last, or type errors before it) into one line; a runtime that cannot be downloaded or
 * found is named as such.
 */
export function compileFailure(stderr: string): CompileFailure {
  const headline = /^error: (.+)$/m.exec(stderr)?.[1];
  const chain = /^Caused by:\n((?:[ \t]+\d+: .*(?:\n|$))+)/m.exec(stderr)?.[1] ?? "";
  const causes = chain.split("\n").flatMap((line) => /^\s+\d+: (.+)$/.exec(line)?.[1] ?? []);
  const deepest = causes.at(-1);
  for (const cause of causes) {
    const url = /^error sending request for url \((\S+)\)/.exec(cause)?.[1];
    if (url !== undefined) {
      return {
        reason: `cannot download the Deno runtime from ${url}: ${deepest}`,
        runtimeMissing: true,
      };
    }
    const path = /^Could not find denort at '(.*)'$/.exec(cause)?.[1];
    if (path !== undefined) {
      return {
        reason: `DENORT_BIN names no runtime binary: '${path}' (${deepest})`,
        runtimeMissing: true,
      };
    }
  }
  const what = headline ?? (stderr.trim().split("\n").at(-1) || "no error output");
  if (deepest !== undefined) return { reason: `${what}: ${deepest}`, runtimeMissing: false };
  const typeError = firstTypeError(stderr);
  return {
    reason: typeError === undefined ? what : `${what} First error: ${typeError}`,
    runtimeMissing: false,
  };
}

/** `TS2322 <message> at <file:line:column>`: the first of the type errors. */
function firstTypeError(stderr: string): string | undefined {
  const block = /^(TS\d+) \[ERROR\]: (.+)((?:\n.+)*)/m.exec(stderr);
  if (block === null) return undefined;
  const at = /^\s+at (\S+)$/m.exec(block[3])?.[1];
  return `${block[1]} ${block[2]}${at === undefined ? "" : ` at ${at}`}`;
}

async function configFrom(path: string | undefined): Promise<RetuneConfig> {
  if (path === undefined) return defaultConfig();
  if (Deno.permissions.querySync({ name: "env" }).state !== "granted") {
    throw new Error(
      "--config needs environment access: run `deno run --allow-read --allow-write --allow-env " +
        "--allow-run=deno scripts/compile.ts --config=...`",
    );
  }
  return await loadConfig(path);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(2);
  }
}
