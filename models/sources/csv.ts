/**
 * Splits one CSV line into fields. Fields may be double-quoted (with `""` for a quote inside);
 * a record spanning several lines is not supported, since sources are read line by line.
 *
 * @module
 */

/** The fields of `line`, or a reason why it cannot be split. */
export function splitCsvLine(line: string, delimiter: string): string[] | { error: string } {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return { error: `unterminated quoted field at character ${i}` };
        value += line.slice(i, close);
        i = close + 1;
        if (line[i] !== '"') break;
        value += '"';
        i++;
      }
      fields.push(value);
      if (i < line.length && line[i] !== delimiter) {
        return { error: `unexpected text after a quoted field at character ${i + 1}` };
      }
    } else {
      const next = line.indexOf(delimiter, i);
      fields.push(line.slice(i, next < 0 ? line.length : next));
      i = next < 0 ? line.length : next;
    }
    if (i >= line.length) return fields;
    i++;
  }
}
