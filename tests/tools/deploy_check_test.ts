import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "yaml";
import { loadConfig } from "../../config/load.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { ROOT } from "../fixtures/tasks.ts";
import { tempDirForProcess } from "../fixtures/temp_dir.ts";

const SOURCE = join(ROOT, "tools/deploy_check");
const BINARY = join(ROOT, ".cache/deploy_check/deploy_check");
const DEPLOY = join(ROOT, "deploy");

/** Builds tools/deploy_check into .cache/ unless the binary is newer than every source file. */
async function deployCheck(): Promise<string> {
  const built = await Deno.stat(BINARY).then((s) => s.mtime?.getTime() ?? 0, () => 0);
  let newest = 0;
  for await (const entry of Deno.readDir(SOURCE)) {
    newest = Math.max(newest, (await Deno.stat(join(SOURCE, entry.name))).mtime?.getTime() ?? 0);
  }
  if (built > newest) return BINARY;
  const output = await new Deno.Command("go", {
    args: ["build", "-buildvcs=false", "-o", BINARY, "."],
    cwd: SOURCE,
    stdin: "null",
  }).output();
  assert.ok(output.success, `go build failed:\n${new TextDecoder().decode(output.stderr)}`);
  return BINARY;
}

/** Runs the checker on a compose file and a manifest folder; its exit code and output. */
async function check(compose: string, k8s: string): Promise<{ code: number; text: string }> {
  const output = await new Deno.Command(await deployCheck(), {
    args: [`--compose=${compose}`, `--k8s=${k8s}`, `--roles=${SERVICE_ROLES.join(",")}`],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    text: decoder.decode(output.stdout) + decoder.decode(output.stderr),
  };
}

/** A copy of deploy/ in a temporary folder, with `edit` applied to one of its files. */
async function brokenCopy(file: string, edit: (text: string) => string): Promise<string> {
  const dir = tempDirForProcess("retune-deploy-check-");
  await Deno.mkdir(join(dir, "k8s"));
  for (const name of ["compose.yaml", "container.yaml", "Dockerfile"]) {
    await Deno.copyFile(join(DEPLOY, name), join(dir, name));
  }
  for await (const entry of Deno.readDir(join(DEPLOY, "k8s"))) {
    await Deno.copyFile(join(DEPLOY, "k8s", entry.name), join(dir, "k8s", entry.name));
  }
  const text = await Deno.readTextFile(join(dir, file));
  const edited = edit(text);
  assert.notEqual(edited, text, `the edit changed nothing in ${file}`);
  await Deno.writeTextFile(join(dir, file), edited);
  return dir;
}

Deno.test("the compose file and the Kubernetes manifests pass the offline check", async () => {
  const { code, text } = await check(join(DEPLOY, "compose.yaml"), join(DEPLOY, "k8s"));
  assert.equal(code, 0, text);
  assert.match(text, /ok: .*compose\.yaml: 7 roles/);
});

Deno.test("the check refuses a misspelt compose key", async () => {
  const dir = await brokenCopy("compose.yaml", (t) => t.replace("  healthcheck:", "  healthchek:"));
  const { code, text } = await check(join(dir, "compose.yaml"), join(dir, "k8s"));
  assert.equal(code, 1, text);
  assert.match(text, /healthchek/);
});

Deno.test("the check refuses a compose file without a role", async () => {
  const dir = await brokenCopy(
    "compose.yaml",
    (t) => t.replace(/\n {2}observer:\n(.*\n){2}/, "\n"),
  );
  const { code, text } = await check(join(dir, "compose.yaml"), join(dir, "k8s"));
  assert.equal(code, 1, text);
  assert.match(text, /no service for role "observer"/);
});

Deno.test("the check refuses a manifest field unknown to the Kubernetes API", async () => {
  const dir = await brokenCopy(
    "k8s/engine.yaml",
    (t) => t.replace("readinessProbe:", "readynessProbe:"),
  );
  const { code, text } = await check(join(dir, "compose.yaml"), join(dir, "k8s"));
  assert.equal(code, 1, text);
  assert.match(text, /unknown field "readynessProbe"/);
});

Deno.test("the check refuses a role whose probes miss /readyz", async () => {
  const dir = await brokenCopy("k8s/factory.yaml", (t) => t.replace("path: /readyz", "path: /"));
  const { code, text } = await check(join(dir, "compose.yaml"), join(dir, "k8s"));
  assert.equal(code, 1, text);
  assert.match(text, /retune-factory container "factory": no readiness probe on \/readyz/);
});

Deno.test("the ConfigMap carries deploy/container.yaml, a configuration Retune accepts", async () => {
  const configMap = parse(await Deno.readTextFile(join(DEPLOY, "k8s/config.yaml")));
  const container = await Deno.readTextFile(join(DEPLOY, "container.yaml"));
  assert.equal(configMap.data["retune.yaml"], container);
  const config = await loadConfig(join(DEPLOY, "container.yaml"), { env: {} });
  assert.equal(config.transport, "kafka");
  assert.equal(config.storage.dir, "/var/lib/retune");
});
