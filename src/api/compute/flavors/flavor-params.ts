// Parsing helpers for flavor API parameters, with Python's semantics where Nova relies on them
// (int(str), the 'name' format checker).

/** Python int(s) for decimal strings (surrounding whitespace and a sign allowed); null when invalid. */
export function parsePyInt(s: string): number | null {
  const m = /^\s*([+-]?\d+)\s*$/.exec(s);
  if (!m) return null;
  // Very long digit strings stay numbers (beyond any maximum), as Python ints would.
  return Number(m[1]);
}

/** Nova's `name` format: printable characters, no leading or trailing whitespace. */
export function validName(name: string): boolean {
  return /^(?!\s)[^\p{C}]*$/u.test(name) && !/\s$/u.test(name);
}

export const INVALID_NAME_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.";
