// One known flavor extra spec: its name and the rule its value must follow. The shape follows
// nova/api/validation/extra_specs/base.py (ExtraSpecValidator), Nova Zed (26.x).

/**
 * What a value must look like. Values reach the validator as strings (numbers and booleans in
 * the request are first turned into Python's str() of them, as Nova does).
 */
export type ValueRule =
  /** Python int() of the value, within [min, max] when given. */
  | { type: 'int'; min?: number; max?: number }
  /** oslo strutils.bool_from_string(strict=True): 1/t/true/on/y/yes or 0/f/false/off/n/no, any case. */
  | { type: 'bool' }
  /** Any string, or one of `enum`. */
  | { type: 'str'; enum?: readonly string[] }
  /**
   * A string that fully matches `pattern`, Nova's regex text (it appears as is in the 400 message).
   * `safePattern` is an equivalent regex that cannot backtrack catastrophically, used for the
   * match when Nova's own pattern could (hw:pmem's nested `(x+,?)+`).
   */
  | { type: 'str'; pattern: string; safePattern?: string };

export interface KnownSpec {
  /**
   * Nova's name template, e.g. `hw:numa_cpus.{num}`. Nova reads the name as a regex once the
   * `{param}`s are substituted, so a `.` in it matches any character, here as there.
   */
  name: string;
  /** A regex for each `{param}` in `name`. */
  params?: Readonly<Record<string, string>>;
  value: ValueRule;
}
