import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { classifyTests } from "../../scripts/unit_tests.ts";

// Spelled in pieces, so this file's own text reads as neither needing a service nor importing.
const SPAWN = "new Deno." + "Command('sh').spawn();";
const ASK_KAFKA = "await kafka" + "Brokers();";
const use = (path: string, names = "") => `import ${names}${names && " fr" + "om "}"${path}";\n`;

/** Writes `files` (path from the root: content) under a fresh folder; the folder. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "unit-tests-" });
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), content);
  }
  return root;
}

Deno.test("a test is a unit test unless its test-side imports ask for a service or spawn", {
  permissions: { read: true, write: true },
}, async () => {
  const root = await tree({
    "scripts/services/kafka.ts": `export function start() { ${SPAWN} }`,
    "scripts/services/free_port.ts": "export const port = 0;",
    "tests/fixtures/services.ts": use("../../scripts/services/kafka.ts") +
      "export async function kafkaBrokers() {}\nexport const uniqueName = (p: string) => p;",
    "tests/fixtures/brokers.ts": use("./services.ts", "{ kafkaBrokers }") + ASK_KAFKA,
    "tests/a/asks_test.ts": use("../fixtures/brokers.ts"),
    "tests/a/names_test.ts": use("../fixtures/services.ts", "{ uniqueName }"),
    "tests/b/spawns_test.ts": SPAWN,
    "tests/b/mentions_test.ts": `// ${SPAWN}\n/* ${ASK_KAFKA} */`,
    "tests/c/drives_test.ts": use("../../scripts/services/kafka.ts", "{ start }"),
    "tests/c/port_test.ts": use("../../scripts/services/free_port.ts", "{ port }"),
    "tests/d/runs_java_test.ts": use("../../models/java.ts", "{ run }"),
    "models/java.ts": `export function run() { ${SPAWN} }`,
    "tests/d/cycle_test.ts": use("./cycle_a.ts"),
    "tests/d/cycle_a.ts": use("./cycle_b.ts"),
    "tests/d/cycle_b.ts": use("./cycle_a.ts") + use("./spawning.ts"),
    "tests/d/spawning.ts": SPAWN,
    "tests/d/quiet_cycle_test.ts": use("./quiet_a.ts"),
    "tests/d/quiet_a.ts": use("./quiet_b.ts"),
    "tests/d/quiet_b.ts": use("./quiet_a.ts"),
  });
  try {
    assert.deepEqual(await classifyTests(root), [
      {
        file: "tests/a/asks_test.ts",
        needs: "asks for Kafka, etcd, S3 or a schema registry (tests/fixtures/brokers.ts)",
      },
      { file: "tests/a/names_test.ts" },
      { file: "tests/b/mentions_test.ts" },
      { file: "tests/b/spawns_test.ts", needs: "spawns a process (tests/b/spawns_test.ts)" },
      {
        file: "tests/c/drives_test.ts",
        needs: "spawns a process (scripts/services/kafka.ts)",
      },
      { file: "tests/c/port_test.ts" },
      { file: "tests/d/cycle_test.ts", needs: "spawns a process (tests/d/spawning.ts)" },
      { file: "tests/d/quiet_cycle_test.ts" },
      { file: "tests/d/runs_java_test.ts" },
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test(
  "in this repository the Kafka, etcd and browser tests are left out, in-process ones kept",
  {
    permissions: { read: true },
  },
  async () => {
    const classes = new Map((await classifyTests()).map(({ file, needs }) => [file, needs]));
    for (const service of ["tests/transport/kafka_test.ts", "tests/registry/etcd_test.ts"]) {
      assert.notEqual(classes.get(service), undefined, `${service} needs a service`);
    }
    assert.match(classes.get("tests/http/dashboard_browser_test.ts") ?? "", /^drives a browser/);
    for (
      const unit of ["tests/transport/in_process_test.ts", "tests/registry/in_process_test.ts"]
    ) {
      assert.ok(classes.has(unit), `${unit} is listed`);
      assert.equal(classes.get(unit), undefined, `${unit} is a unit test`);
    }
  },
);
