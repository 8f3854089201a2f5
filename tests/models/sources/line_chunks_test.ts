import assert from "node:assert/strict";
import { type ReadLine, readLineChunks } from "../../../models/sources/line_chunks.ts";

async function linesOf(
  bytes: Uint8Array,
  maxLineLength?: number,
): Promise<{ lines: ReadLine[]; chunks: number }> {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, bytes);
    const lines: ReadLine[] = [];
    let chunks = 0;
    for await (const chunk of readLineChunks(path, { maxLineLength })) {
      assert.ok(chunk.length > 0, "a chunk is never empty");
      lines.push(...chunk);
      chunks++;
    }
    return { lines, chunks };
  } finally {
    await Deno.remove(path);
  }
}

const encoder = new TextEncoder();

Deno.test({
  name: "lines end at LF or CRLF; a last line without an end and a byte order mark are handled",
  permissions: { read: true, write: true },
}, async () => {
  const { lines } = await linesOf(encoder.encode("\uFEFFa,1\r\nb,2\n\nc,3"));
  assert.deepEqual(lines, ["a,1", "b,2", "", "c,3"]);
  assert.deepEqual((await linesOf(encoder.encode(""))).lines, []);
  assert.deepEqual((await linesOf(encoder.encode("x\n"))).lines, ["x"]);
});

Deno.test({
  name: "a file larger than a read keeps every line whole, multi-byte characters included",
  permissions: { read: true, write: true },
}, async () => {
  // 40,000 lines of 11 bytes (a 3-byte character among them) span several reads, so lines and
  // characters are cut at read boundaries.
  const expected = Array.from({ length: 40_000 }, (_, i) => `€${String(i).padStart(7, "0")}`);
  const { lines, chunks } = await linesOf(encoder.encode(expected.join("\n") + "\n"));
  assert.ok(chunks > 1, `expected several chunks, got ${chunks}`);
  assert.deepEqual(lines, expected);
});

Deno.test({
  name: "a line over the limit comes back as its length and head, wherever reads cut it",
  permissions: { read: true, write: true },
}, async () => {
  const long = "x".repeat(700_000);
  const { lines } = await linesOf(encoder.encode(`a,1\n${long}\r\nb,2\n${"y".repeat(11)}`), 10);
  assert.deepEqual(lines, [
    "a,1",
    { length: 700_000, head: "x".repeat(1_024) },
    "b,2",
    { length: 11, head: "y".repeat(11) },
  ]);
  // Exactly at the limit is still a line; a runaway last line without an end is reported too.
  assert.deepEqual((await linesOf(encoder.encode("abc\nabcd"), 3)).lines, [
    "abc",
    { length: 4, head: "abcd" },
  ]);
  assert.deepEqual((await linesOf(encoder.encode(`${long}\r`), 10)).lines, [
    { length: 700_000, head: "x".repeat(1_024) },
  ]);
});

Deno.test({
  name: "a limit that is not a positive integer is rejected, naming it",
  permissions: { read: true, write: true },
}, async () => {
  await assert.rejects(() => linesOf(encoder.encode("a"), 0), /maxLineLength .* 0/);
});
