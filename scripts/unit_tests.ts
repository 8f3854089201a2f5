/**
 * `deno task test:unit`: every test that needs no external service, with nothing to set up. Which
 * test files those are is worked out from the tests' code on every run, so no list can fall behind:
 * a test file (`tests/**\/*_test.ts`) is a unit test unless its own code, or a test-side module
 * it imports directly or through others (under `tests/` or `scripts/services/`),
 * - asks for Kafka, etcd, S3 or a schema registry (calls `kafkaBrokers(`, `etcdEndpoints(`,
 *   `s3Endpoint(` or `schemaRegistryUrl(` of `tests/fixtures/services.ts`, which starts them on
 *   first call: importing it for `uniqueName` alone needs nothing, so its own imports are not
 *   followed), or
 * - spawns a process (uses `Deno.Command`: role processes, services, `deno` itself, Java), or
 * - drives a browser (imports `playwright-core`, which starts Chromium).
 *
 * The code under test is not read: it may run programs (the Wayeb adapter runs Java), but a test
 * reaches such code only through what it sets up itself.
 *
 * `--list` prints every test file with its class and, for the others, why; other arguments go to
 * `deno test`.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Why a module keeps the tests that import it from the unit tests. */
const NEEDS: { pattern: RegExp; reason: string }[] = [
  // Calls, not the definitions in tests/fixtures/services.ts.
  {
    pattern: /(?<!function\s+)\b(?:kafkaBrokers|etcdEndpoints|s3Endpoint|schemaRegistryUrl)\s*\(/,
    reason: "asks for Kafka, etcd, S3 or a schema registry",
  },
  { pattern: /\bDeno\.Command\b/, reason: "spawns a process" },
  { pattern: /\bfrom\s*["']playwright-core["']/, reason: "drives a browser" },
];

/** A test file and, when it is not a unit test, why. */
export interface Classified {
  /** Path from the repository root. */
  file: string;
  /** Undefined for a unit test. */
  needs?: string;
}

/** Every test file under `root`/tests, sorted, each with what keeps it from the unit tests. */
export async function classifyTests(root = ROOT): Promise<Classified[]> {
  const tests = join(root, "tests");
  const gateway = join(tests, "fixtures", "services.ts");
  const testSide = [tests, join(root, "scripts", "services")];
  const modules = new Map<string, Promise<TestModule>>();
  const moduleAt = (path: string): Promise<TestModule> => {
    let found = modules.get(path);
    if (found === undefined) {
      found = readModule(path, root);
      modules.set(path, found);
    }
    return found;
  };
  const classify = async (file: string): Promise<Classified> => {
    // Breadth first over the test-side modules the file reaches; `seen` ends import cycles.
    const seen = new Set([file]);
    for (const path of seen) {
      const { need, imports } = await moduleAt(path);
      if (need !== undefined) return { file: relative(root, file), needs: need };
      for (const target of imports) {
        const followed = target !== gateway && target.endsWith(".ts") &&
          testSide.some((folder) => target.startsWith(folder + "/"));
        if (followed) seen.add(target);
      }
    }
    return { file: relative(root, file) };
  };
  return await Promise.all((await testFiles(tests)).toSorted().map(classify));
}

/** What a module needs itself, and the modules it imports by relative path. */
interface TestModule {
  need?: string;
  imports: string[];
}

async function readModule(path: string, root: string): Promise<TestModule> {
  let code: string;
  try {
    code = withoutComments(await Deno.readTextFile(path));
  } catch (error) {
    // What looked like an import was text in a string; a real one deno check would refuse.
    if (error instanceof Deno.errors.NotFound) return { imports: [] };
    throw error;
  }
  const imports = relativeImports(code).map((specifier) => resolve(dirname(path), specifier));
  const found = NEEDS.find(({ pattern }) => pattern.test(code));
  return found === undefined
    ? { imports }
    : { need: `${found.reason} (${relative(root, path)})`, imports };
}

/** The relative specifiers `code` imports or re-exports, statically or dynamically. */
function relativeImports(code: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.\.?\/[^"']+)["']/g;
  return [...code.matchAll(pattern)].map((match) => match[1]);
}

/** `code` without its comments, so prose that names a pattern does not count. */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'])\/\/.*$/gm, "$1");
}

/** Every `*_test.ts` under `folder`. */
async function testFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) found.push(...await testFiles(path));
    else if (entry.isFile && entry.name.endsWith("_test.ts")) found.push(path);
  }
  return found;
}

const HELP = `Usage: deno task test:unit [--list] [deno test options]

Runs every test file that needs no service (no Kafka, etcd or child process), in parallel.

  --list       print every test file with its class and, for the others, why
  -h, --help   show this text`;

/** Lists the classes (`--list`) or runs the unit tests; the exit code. */
async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const classified = await classifyTests();
  if (args.includes("--list")) {
    for (const { file, needs } of classified) {
      console.log(`${needs ? "service" : "unit   "} ${file}${needs ? `: ${needs}` : ""}`);
    }
    return 0;
  }
  const units = classified.filter(({ needs }) => needs === undefined).map(({ file }) => file);
  console.error(
    `${units.length} unit test files of ${classified.length} (the others: deno task test:unit --list)`,
  );
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--parallel", ...args, ...units],
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return code;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
