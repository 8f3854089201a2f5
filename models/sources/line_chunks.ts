/**
 * Reads a text file as chunks of whole lines. A chunk of lines at a time, rather than one
 * promise per line, keeps reading far below the cost of parsing on large replays. Lines end at
 * `\n` or `\r\n`; a UTF-8 byte order mark is dropped. A line longer than the limit is not kept:
 * it comes back as an `OversizedLine` (its length and first characters), so one runaway line
 * cannot take the reader's memory with it.
 *
 * @module
 */

const CHUNK_BYTES = 256 * 1024;

/** Characters of an oversized line kept, enough to find it in the file. */
const OVERSIZED_HEAD = 1_024;

/** The longest line read by default, in characters: far above any event row. */
export const DEFAULT_MAX_LINE_LENGTH = 65_536;

/** A line longer than the reader's limit, of which only the start was kept. */
export interface OversizedLine {
  /** The whole line's length in characters, without its line end. */
  length: number;
  /** Its first characters. */
  head: string;
}

/** A line as read: its text, or what is known of it when it was too long to keep. */
export type ReadLine = string | OversizedLine;

/** Options of `readLineChunks`. */
export interface LineChunkOptions {
  /** Lines longer than this many characters come back as `OversizedLine`. */
  maxLineLength?: number;
}

/** The lines of the file at `path`, in order, a chunk at a time, without their line ends. */
export async function* readLineChunks(
  path: string,
  options: LineChunkOptions = {},
): AsyncGenerator<ReadLine[]> {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
    throw new RangeError(
      `maxLineLength must be a positive integer: current value is ${maxLineLength}`,
    );
  }
  const file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK_BYTES);
  let rest = "";
  // The line being skipped because it outgrew the limit before its end arrived.
  let skipping: (OversizedLine & { endsWithReturn: boolean }) | null = null;
  const finish = (line: string): ReadLine => {
    const text = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
    return text.length > maxLineLength
      ? { length: text.length, head: text.slice(0, OVERSIZED_HEAD) }
      : text;
  };
  try {
    for (;;) {
      const read = await file.read(buffer);
      if (read === null) break;
      let text = decoder.decode(buffer.subarray(0, read), { stream: true });
      const lines: ReadLine[] = [];
      if (skipping !== null) {
        const end = text.indexOf("\n");
        if (end === -1) {
          skipping.length += text.length;
          if (text !== "") skipping.endsWithReturn = text.charCodeAt(text.length - 1) === 13;
          continue;
        }
        skipping.length += end;
        if (end > 0 ? text.charCodeAt(end - 1) === 13 : skipping.endsWithReturn) skipping.length--;
        lines.push({ length: skipping.length, head: skipping.head });
        skipping = null;
        text = text.slice(end + 1);
      }
      const split = (rest + text).split("\n");
      rest = split.pop()!;
      for (const line of split) lines.push(finish(line));
      if (rest.length > maxLineLength) {
        skipping = {
          length: rest.length,
          head: rest.slice(0, OVERSIZED_HEAD),
          endsWithReturn: rest.charCodeAt(rest.length - 1) === 13,
        };
        rest = "";
      }
      if (lines.length > 0) yield lines;
    }
    rest += decoder.decode();
    if (skipping !== null) {
      const returns = (rest === "" ? skipping.endsWithReturn : rest.endsWith("\r")) ? 1 : 0;
      yield [{ length: skipping.length + rest.length - returns, head: skipping.head }];
    } else if (rest !== "") {
      yield [finish(rest)];
    }
  } finally {
    file.close();
  }
}
