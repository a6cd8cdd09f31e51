// The regex half of Nova's server list filters (nova db api _regex_instance_filter): every filter
// that reaches the DB and is not in Nova's exact-match list is `column REGEXP pattern` on MySQL.
// Here the patterns run in JS over one pre-query, so three things are copied from Nova + MySQL:
// - validation: the query schema gives these parameters format 'regex' (nova parameter_types
//   common_query_regex_param); a pattern that does not compile, or an empty one, is a 400;
// - MySQL's reading: `|` is escaped (nova db utils _safe_regex_mysql), the match is a search (not
//   anchored) and case-insensitive (the instances table has a *_ci collation), NULL never matches;
// - a bound: MySQL stops a runaway match (regexp_time_limit) and Nova then answers 500; here the
//   whole match pass runs in a vm context with a time budget and a runaway pattern is a 400.
import vm from 'node:vm';
import { BadRequest, pyRepr } from '../../errors.js';

/** Query parameters whose values Nova's schema checks with format 'regex' (servers.py index_query). */
export const REGEX_FORMAT_PARAMS = [
  'kernel_id',
  'ramdisk_id',
  'hostname',
  'key_name',
  'power_state',
  'node',
  'flavor',
  'reservation_id',
  'launched_at',
  'terminated_at',
  'availability_zone',
  'name',
  'display_name',
  'description',
  'display_description',
  'locked_by',
  'root_device_name',
  'config_drive',
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'progress',
  'ip',
  'ip6',
  'created_at',
];
/** 2.26 adds the tag filters, with the same format. */
export const REGEX_FORMAT_PARAMS_226 = ['tags', 'tags-any', 'not-tags', 'not-tags-any'];

/** Budget of one list request's regex matching (time spent matching), all filters and rows together. */
export const REGEX_BUDGET_MS = 750;

/** Python re's escapes of ASCII letters; any other `\letter` is re.error "bad escape" in Nova. */
const PYTHON_LETTER_ESCAPES = new Set('AbBdDsSwWZafnrtvxuUN'.split(''));

function hasBadPythonEscape(p: string): boolean {
  for (let i = 0; i < p.length - 1; i++) {
    if (p[i] !== '\\') continue;
    const c = p[i + 1];
    if (/[A-Za-z]/.test(c) && !PYTHON_LETTER_ESCAPES.has(c)) return true;
    i++; // skip the escaped character (so `\\q` is a backslash and a q)
  }
  return false;
}

/** Source and flags of `pattern` as it runs: MySQL's REGEXP reading for Nova (see the header), or Python's. */
function regexParts(pattern: string, mysql: boolean): { source: string; flags: string } {
  return mysql ? { source: pattern.replace(/\|/g, '\\|'), flags: 'i' } : { source: pattern, flags: '' };
}

/** The pattern as MySQL's REGEXP would run it for Nova (see the header). */
export function mysqlRegex(pattern: string): RegExp {
  const { source, flags } = regexParts(pattern, true);
  return new RegExp(source, flags);
}

/** True when Nova's schema would take `p` as a 'regex' and it also compiles here. */
export function isValidRegex(p: string): boolean {
  if (p === '' || hasBadPythonEscape(p)) return false;
  try {
    mysqlRegex(p);
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Nova's query-schema check of the regex-format parameters, for every role and every value of a
 * repeated parameter: "Invalid input for query parameters name. Value: (. '(' is not a 'regex'".
 */
export function assertRegexParams(query: Record<string, string | string[] | undefined>, withTags: boolean): void {
  const params = withTags ? [...REGEX_FORMAT_PARAMS, ...REGEX_FORMAT_PARAMS_226] : REGEX_FORMAT_PARAMS;
  for (const param of params) {
    const v = query[param];
    for (const value of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
      if (!isValidRegex(value)) {
        throw new BadRequest(
          `Invalid input for query parameters ${param}. Value: ${value}. ${pyRepr(value)} is not a 'regex'`,
        );
      }
    }
  }
}

/**
 * The longest text every match of `pattern` (MySQL's reading: a search, ASCII case-insensitive,
 * `|` literal) must contain, lower-cased; null when there is none of two or more printable ASCII
 * characters. Conservative: whatever may repeat, be optional or vary (classes, groups, escapes
 * such as \d, anchors, `.`) ends a run, and a character before `*`, `?` or `{` is dropped. A
 * column LIKE '%text%' is then a superset of the matches (server-list.ts reads only those rows).
 */
export function requiredLiteral(pattern: string): string | null {
  const runs = literalRuns(pattern);
  const best = (runs ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
  return best.length >= 2 ? best : null;
}

/**
 * Every literal run of `pattern` (as requiredLiteral reads it), lower-cased, in the order a match
 * holds them: the pattern is a concatenation (MySQL's `|` is literal, groups are skipped whole), so
 * each match contains run 1, then later run 2, and so on. A column LIKE '%run1%run2%' is then a
 * superset of the matches, narrower than the longest run alone (`scale-1[0-9]*7$`: '%scale-1%7%').
 * Empty when the runs hold fewer than two characters.
 */
export function requiredLiterals(pattern: string): string[] {
  const runs = literalRuns(pattern) ?? [];
  return runs.join('').length >= 2 ? runs : [];
}

function literalRuns(pattern: string): string[] | null {
  const runs: string[] = [];
  let run = '';
  const end = () => {
    if (run) runs.push(run);
    run = '';
  };
  /** index of the `]` closing the class that opens at i */
  const classEnd = (i: number): number => {
    let j = i + 1;
    if (pattern[j] === '^') j++;
    if (pattern[j] === ']') j++;
    while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
    return j;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[++i];
      if (n === undefined || /[A-Za-z0-9]/.test(n)) end();
      else run += n;
    } else if (c === '[') {
      i = classEnd(i);
      end();
    } else if (c === '(') {
      let depth = 1;
      let j = i + 1;
      for (; j < pattern.length && depth > 0; j++) {
        if (pattern[j] === '\\') j++;
        else if (pattern[j] === '[') j = classEnd(j);
        else if (pattern[j] === '(') depth++;
        else if (pattern[j] === ')') depth--;
      }
      i = j - 1;
      end();
    } else if (c === '*' || c === '?' || c === '{') {
      run = run.slice(0, -1);
      end();
      if (c === '{') while (i < pattern.length && pattern[i] !== '}') i++;
    } else if (c === '+' || c === '.' || c === '^' || c === '$') {
      end();
    } else if (c === ')') {
      return null;
    } else if (c < ' ' || c > '~') {
      end(); // beyond printable ASCII, case folding is not LIKE's
    } else {
      run += c;
    }
  }
  end();
  return runs.map((r) => r.toLowerCase());
}

/** One regex filter: `texts[i]` are the renderings of row i's value; a row passes when any matches. */
export interface RegexFilter {
  param: string;
  pattern: string;
  /** false for the IP filters, which Nova runs in Python (case-sensitive, `|` kept) */
  mysql?: boolean;
  texts: string[][];
}

// Runs inside the sandbox: only plain data crosses, and the timeout interrupts a runaway match.
const MATCH_SCRIPT = `(() => {
  const keep = new Array(rowCount).fill(true);
  for (const f of filters) {
    current = f.param;
    const re = new RegExp(f.source, f.flags);
    for (let i = 0; i < rowCount; i++) {
      if (!keep[i]) continue;
      const texts = f.texts[i];
      let hit = false;
      for (let j = 0; j < texts.length && !hit; j++) hit = re.test(texts[j]);
      keep[i] = hit;
    }
  }
  const out = [];
  for (let i = 0; i < rowCount; i++) if (keep[i]) out.push(i);
  return out;
})()`;
const compiledScript = new vm.Script(MATCH_SCRIPT);

/**
 * Indexes of the rows that pass every filter, within `budgetMs`; a pattern that would run away
 * (catastrophic backtracking) is a 400 naming its parameter, never a hang.
 */
export function matchRows(rowCount: number, filters: RegexFilter[], budgetMs = REGEX_BUDGET_MS): number[] {
  if (filters.length === 0) return Array.from({ length: rowCount }, (_, i) => i);
  return regexMatcher(filters, budgetMs)(
    rowCount,
    filters.map((f) => f.texts),
  );
}

/**
 * A matcher for `filters` (their patterns; texts come with each call) that keeps one sandbox for
 * many calls, and one time budget for all of them together: the list walks the rows a page at a
 * time (server-list.ts) and the budget bounds the whole request, as for one pass.
 */
export function regexMatcher(
  filters: Pick<RegexFilter, 'param' | 'pattern' | 'mysql'>[],
  budgetMs = REGEX_BUDGET_MS,
): (rowCount: number, texts: string[][][]) => number[] {
  const sandbox = {
    rowCount: 0,
    filters: filters.map((f) => ({
      param: f.param,
      texts: [] as string[][],
      ...regexParts(f.pattern, f.mysql !== false),
    })),
    current: '',
  };
  const ctx = vm.createContext(sandbox);
  // Only the matching counts (not the reads between calls): a sparse match over many rows is slow
  // to read, not a runaway pattern.
  let left = budgetMs;
  return (rowCount, texts) => {
    sandbox.rowCount = rowCount;
    sandbox.filters.forEach((f, i) => {
      f.texts = texts[i];
    });
    const started = performance.now();
    try {
      return [...(compiledScript.runInContext(ctx, { timeout: Math.max(1, Math.ceil(left)) }) as number[])];
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
      const param = sandbox.current;
      const pattern = filters.find((f) => f.param === param)?.pattern ?? '';
      throw new BadRequest(
        `Invalid input for query parameters ${param}. Value: ${pattern}. The regular expression took too long to match.`,
      );
    } finally {
      left -= performance.now() - started;
    }
  };
}
