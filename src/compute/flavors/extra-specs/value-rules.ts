// Checks one extra spec value against its rule, with the words of Nova's 400 messages
// (nova/api/validation/extra_specs/base.py, ExtraSpecValidator._validate_*).
import type { ValueRule } from './types.js';
import { FALSE_STRINGS, TRUE_STRINGS } from '../../../contract/parameter-types.js';

/**
 * The value 0–9 of a decimal digit of any script. Unicode encodes each script's digits as a run
 * of ten code points from zero up, and adjacent runs (the mathematical digits) start ten apart,
 * so the offset from the start of the contiguous run, modulo 10, is the value.
 */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  let start = cp;
  while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Whitespace as int() skips it: ASCII's six and the non-ASCII spaces (\x85, \xa0, \u3000…). */
const INT_SPACE = '[\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
/** Whitespace as str.strip() removes it: int()'s plus \x1c-\x1f (and never JavaScript's \ufeff). */
const STR_SPACE = INT_SPACE.replace(']', '\\x1c-\\x1f]');
const stripper = (space: string) => {
  const ends = new RegExp(`^${space}+|${space}+$`, 'g');
  return (text: string) => text.replace(ends, '');
};
const intStrip = stripper(INT_SPACE);
const pythonStrip = stripper(STR_SPACE);

/**
 * Python's int() of a string in base 10: surrounding whitespace, an optional sign, decimal digits
 * of any script with single underscores between them ('010' is 10, '1_000' is 1000, '١٢' is 12).
 * Undefined when int() would raise.
 */
export function pythonInt(text: string): bigint | undefined {
  const m = /^([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)$/u.exec(intStrip(text));
  if (!m) return undefined;
  const ascii = [...m[2]]
    .filter((ch) => ch !== '_')
    .map((ch) => (ch >= '0' && ch <= '9' ? ch : String(digitValue(ch))))
    .join('');
  const n = BigInt(ascii);
  return m[1] === '-' ? -n : n;
}

/** oslo_utils.strutils.bool_from_string(strict=True)'s accepted words, after strip().lower(). */
const BOOL_WORDS = new Set([...TRUE_STRINGS, ...FALSE_STRINGS]);

const failed = (why: string) => `Validation failed; ${why}`;

/**
 * Regexes of value patterns, compiled once, that match the whole value as Python's re.fullmatch.
 * Python's `\d` in a str pattern is any script's decimal digit, hence `\p{Nd}` (the patterns
 * here have no escaped backslash before a `d`, so the plain replacement is safe).
 */
const compiled = new Map<string, RegExp>();
function fullMatcher(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source.replaceAll('\\d', '\\p{Nd}')})$`, 'u');
    compiled.set(source, re);
  }
  return re;
}

/** Nova's message for a value that breaks `rule`, or undefined when it is fine. */
export function valueProblem(rule: ValueRule, value: string): string | undefined {
  switch (rule.type) {
    case 'int': {
      const n = pythonInt(value);
      if (n === undefined) return failed(`'${value}' is not a valid integer value.`);
      // Nova has converted the value by now, so these messages show the integer (' 09' → 9).
      if (rule.max !== undefined && BigInt(rule.max) < n)
        return failed(`'${n}' is greater than the max value of '${rule.max}'.`);
      if (rule.min !== undefined && BigInt(rule.min) > n)
        return failed(`'${n}' is less than the min value of '${rule.min}'.`);
      return undefined;
    }
    case 'bool':
      return BOOL_WORDS.has(pythonStrip(value).toLowerCase())
        ? undefined
        : failed(`'${value}' is not a valid boolean-like value.`);
    case 'str':
      if ('pattern' in rule) {
        if (fullMatcher(rule.safePattern ?? rule.pattern).test(value)) return undefined;
        return failed(`'${value}' is not of the format '${rule.pattern}'.`);
      }
      if (rule.enum && !rule.enum.includes(value)) return failed(`'${value}' is not one of: ${rule.enum.join(', ')}.`);
      return undefined;
  }
}
