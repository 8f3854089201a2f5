/**
 * Reads a text file as chunks of whole lines. A chunk of lines at a time, rather than one
 * promise per line, keeps reading far below the cost of parsing on large replays. Lines end at
 * `\n` or `\r\n`; a UTF-8 byte order mark is dropped.
 *
 * @module
 */

const CHUNK_BYTES = 256 * 1024;

/** The lines of the file at `path`, in order, a chunk at a time, without their line ends. */
export async function* readLineChunks(path: string): AsyncGenerator<string[]> {
  const file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK_BYTES);
  let rest = "";
  try {
    for (;;) {
      const read = await file.read(buffer);
      if (read === null) break;
      const lines = (rest + decoder.decode(buffer.subarray(0, read), { stream: true })).split("\n");
      rest = lines.pop()!;
      if (lines.length > 0) yield withoutCarriageReturns(lines);
    }
    rest += decoder.decode();
    if (rest !== "") yield withoutCarriageReturns([rest]);
  } finally {
    file.close();
  }
}

function withoutCarriageReturns(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.charCodeAt(line.length - 1) === 13) lines[i] = line.slice(0, -1);
  }
  return lines;
}
