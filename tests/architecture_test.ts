/**
 * The layering ARCHITECTURE.md describes, checked on every import of every source file outside
 * tests/: the inner rings import only inward, no two files import each other through any chain,
 * and packages are imported only by the names deno.json maps.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SKIPPED_FOLDERS = new Set(["tests", ".cache", ".retune", "out", "node_modules", ".git"]);

/** One import of a source file: its specifier and, for a relative one, the file it names. */
interface Import {
  specifier: string;
  /** Repository-relative path of the imported file; null for a package or builtin. */
  target: string | null;
}

/** Repository-relative paths of every .ts file outside the skipped folders. */
function sourceFiles(folder = ROOT): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory && !SKIPPED_FOLDERS.has(entry.name)) files.push(...sourceFiles(path));
    if (entry.isFile && entry.name.endsWith(".ts")) files.push(relative(ROOT, path));
  }
  return files.sort();
}

// `import ... from "x"` and `export ... from "x"` (the clause may span lines but holds no quote or
// semicolon), side-effect `import "x"`, and dynamic `import("x")`.
const IMPORT_PATTERNS = [
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** The imports of `file`, read from its import and export statements. */
function importsOf(file: string): Import[] {
  const text = Deno.readTextFileSync(join(ROOT, file));
  const specifiers = IMPORT_PATTERNS.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((match) => match[1])
  );
  return specifiers.map((specifier) => ({
    specifier,
    target: specifier.startsWith(".")
      ? relative(ROOT, resolve(ROOT, dirname(file), specifier))
      : null,
  }));
}

const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]));

/** The top folder of a repository-relative path ("" for a file at the root). */
function ringOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.indexOf("/")) : "";
}

/**
 * "file imports specifier" for every import of a file in `ring` that leaves the `allowed` rings;
 * packages are allowed when `packages` is (their names are checked below), node builtins always.
 */
function ringViolations(ring: string, allowed: readonly string[], packages = true): string[] {
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    if (ringOf(file) !== ring) continue;
    for (const { specifier, target } of imports) {
      const inside = target === null
        ? specifier.startsWith("node:") || packages
        : allowed.includes(ringOf(target));
      if (!inside) violations.push(`${file} imports "${specifier}"`);
    }
  }
  return violations;
}

Deno.test("architecture: core/ imports only core/ and node builtins", () => {
  assert.deepEqual(ringViolations("core", ["core"], false), []);
});

Deno.test("architecture: protocol/ imports only protocol/, core/ and its Avro schemas", () => {
  assert.deepEqual(ringViolations("protocol", ["protocol", "core", "schemas"]), []);
});

Deno.test("architecture: models/ imports only models/ and core/", () => {
  assert.deepEqual(ringViolations("models", ["models", "core"]), []);
});

Deno.test("architecture: policies/ imports only policies/ and core/", () => {
  assert.deepEqual(ringViolations("policies", ["policies", "core"]), []);
});

/** Strongly connected components of more than one file (or a file importing itself), by Tarjan. */
function importCircles(): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const successors = (file: string) =>
    (graph.get(file) ?? []).flatMap(({ target }) =>
      target !== null && graph.has(target) ? [target] : []
    );

  const visit = (file: string): void => {
    index.set(file, index.size);
    lowLink.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of successors(file)) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(file, Math.min(lowLink.get(file)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(file, Math.min(lowLink.get(file)!, index.get(next)!));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || successors(file).includes(file)) circles.push(component.sort());
  };

  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

Deno.test("architecture: no import circles", () => {
  const described = importCircles().map((circle) =>
    circle.map((file) => {
      const inside = graph.get(file)!.filter(({ target }) =>
        target !== null && circle.includes(target)
      );
      return `${file} imports ${inside.map(({ specifier }) => `"${specifier}"`).join(", ")}`;
    }).join("; ")
  );
  assert.deepEqual(described, []);
});

/** The package a specifier names: `uplot` for `uplot/dist/uPlot.min.css`, `@scope/name` too. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
}

Deno.test("architecture: packages (or files in them) only by the names deno.json maps", () => {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json")));
  const mapped = new Set(Object.keys(config.imports));
  const violations: string[] = [];
  for (const [file, imports] of graph) {
    for (const { specifier, target } of imports) {
      if (target !== null || specifier.startsWith("node:") || mapped.has(packageOf(specifier))) {
        continue;
      }
      violations.push(`${file} imports "${specifier}", not a name deno.json maps`);
    }
  }
  assert.deepEqual(violations, []);
});

Deno.test("architecture: relative imports name existing source files", () => {
  const missing = [...graph].flatMap(([file, imports]) =>
    imports.flatMap(({ specifier, target }) =>
      target !== null && !graph.has(target) && !isFile(target)
        ? [`${file} imports "${specifier}", not a file`]
        : []
    )
  );
  assert.deepEqual(missing, []);
});

/** Whether `path` names a file in the repository (an Avro schema, say). */
function isFile(path: string): boolean {
  try {
    return Deno.statSync(join(ROOT, path)).isFile;
  } catch {
    return false;
  }
}
