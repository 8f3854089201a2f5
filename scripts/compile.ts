/**
 * `deno task compile [--role=<role>] [--config=<file>]`: one self-contained binary per role,
 * `out/retune-<role>`, compiled from `main.ts` with exactly the permissions the role needs
 * (`deploy/permissions.ts`) and the role baked in as its first argument. Permissions depend on the
 * deployment (storage folder, model kind, network use), taken from `--config` or the built-in
 * default. Each compilation is reported; the exit status is 1 if any failed.
 *
 * `--config` needs environment access (the yaml parser and the overrides read variables), which the
 * `compile` task does not grant; run this script with `--allow-env` added to use it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { denoFlags, deploymentOf, permissionsFor } from "../deploy/permissions.ts";
import { defaultConfig, loadConfig } from "../protocol/config/load.ts";
import { isRole, type Role, ROLES } from "../protocol/config/roles.ts";
import type { RetuneConfig } from "../protocol/config/schema.ts";

const ENTRY = "main.ts";
const OUT_DIR = "out";
const STDERR_TAIL_LINES = 15;

/** The `deno compile` arguments for one role's binary. */
export function compileArgs(role: Role, config: RetuneConfig): string[] {
  const flags = denoFlags(permissionsFor(role, deploymentOf(config)));
  return ["compile", ...flags, "--output", `${OUT_DIR}/retune-${role}`, ENTRY, `--role=${role}`];
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { role: { type: "string" }, config: { type: "string" } },
    strict: true,
  });
  if (values.role !== undefined && !isRole(values.role)) {
    console.error(`--role must be one of ${ROLES.join(", ")}: current value is '${values.role}'`);
    return 2;
  }
  const config = await configFrom(values.config);
  const roles: readonly Role[] = values.role === undefined ? ROLES : [values.role];
  let failures = 0;
  for (const role of roles) {
    const args = compileArgs(role, config);
    console.log(`compiling ${role}: deno ${args.join(" ")}`);
    // "deno" from PATH: the compile task may run exactly that program.
    const result = await new Deno.Command("deno", {
      args,
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    })
      .output();
    if (result.success) {
      console.log(`  ok: ${OUT_DIR}/retune-${role}`);
    } else {
      failures++;
      const tail = new TextDecoder().decode(result.stderr).trimEnd().split("\n")
        .slice(-STDERR_TAIL_LINES).join("\n    ");
      console.error(`  FAILED (exit ${result.code}):\n    ${tail}`);
    }
  }
  console.log(`${roles.length - failures} of ${roles.length} binaries compiled`);
  return failures === 0 ? 0 : 1;
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
