/**
 * Reads a plain decimal number (`-12.375`: an optional minus, digits, an optional fraction) out of
 * a stretch of a line without cutting it out first. Parsing a CSV row cut each field out as a
 * string and converted it with `Number`, a runtime call per field; most cells of a stream are short
 * decimals, which this reads exactly (Clinger's fast path: up to 15 digits make an integer that a
 * double holds exactly, and one division by an exact power of ten rounds correctly, so the result
 * is the very double `Number` gives). Anything else is left to `Number`.
 *
 * @module
 */

/** Most digits read here: any 15-digit integer is exact in a double. */
const MAX_DIGITS = 15;

/** Powers of ten a double holds exactly, up to the most fraction digits read. */
const POWERS = Array.from({ length: MAX_DIGITS + 1 }, (_, i) => 10 ** i);

/**
 * The number `text` holds from `start` to `end` when it is a plain decimal of at most 15 digits;
 * undefined otherwise (signs other than one leading minus, exponents, blanks, more digits), for
 * which the caller asks `Number`.
 */
export function plainDecimal(text: string, start: number, end: number): number | undefined {
  let i = start;
  const negative = i < end && text.charCodeAt(i) === 45; // "-"
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
    } else if (code === 46 && fraction < 0) { // "."
      fraction = digits;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || digits > MAX_DIGITS) return undefined;
  const value = fraction < 0 ? mantissa : mantissa / POWERS[digits - fraction];
  return negative ? -value : value;
}
