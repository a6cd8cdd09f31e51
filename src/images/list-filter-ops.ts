// Glance's comparative list filters (glance/common/utils.py split_filter_op,
// split_filter_value_for_quotes, evaluate_filter_op and the db layer's rules):
//   name / id / status / container_format / disk_format = [eq:]v | in:v1,"v,2",v3
//   created_at / updated_at = [op:]ISO-8601 with op one of eq neq gt gte lt lte
// Any other prefix before a colon is part of the value (Glance would call it an unknown operator).
//   size_min / size_max / virtual_size_min / virtual_size_max = integer
// Parsing only; the repository turns the result into SQL.
import { BadRequest } from '../errors.js';
import type { TimeOp, RangeFilter, TimeFilter } from '../db/repositories/images-repo.js';
import { parseIsoTime } from '../db/time.js';

/**
 * An ISO 8601 time (as oslo parse_isotime reads it) as UTC "YYYY-MM-DDTHH:MM:SS" plus the fraction
 * when it is not zero, or null when it is not one. That text compares as a string exactly as the
 * times compare, against the first 19 characters of a stored timestamp (Glance's datetime columns
 * hold whole seconds).
 */
export function utcThreshold(text: string): string | null {
  const t = parseIsoTime(text);
  if (!t) return null;
  const utc = t.date.toISOString().slice(0, 19);
  const fraction = String(t.microsecond).padStart(6, '0').replace(/0+$/, '');
  return fraction ? `${utc}.${fraction}` : utc;
}

/** The operators Glance has on each kind of filter (glance/db/sqlalchemy/api.py, utils.evaluate_filter_op). */
const LIST_OPS: ReadonlySet<string> = new Set(['in', 'eq']);
const TIME_OPS: Record<string, TimeOp> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const TIME_OP_NAMES: ReadonlySet<string> = new Set(Object.keys(TIME_OPS));

/**
 * split_filter_op, with one difference from Glance (issue 17): only the filter's real operators
 * are operators. Glance takes whatever precedes the first colon, so `name=busybox:latest` is an
 * "unknown operator 'busybox'"; for a service whose images are Docker images, `name:tag` is the
 * normal name, so any other prefix is part of the value. A whole text that is a time has none.
 */
export function splitFilterOp(expression: string, ops: ReadonlySet<string>): { op: string; value: string } {
  const colon = expression.indexOf(':');
  const op = expression.slice(0, colon);
  if (colon < 0 || !ops.has(op) || utcThreshold(expression) !== null) return { op: 'eq', value: expression };
  return { op, value: expression.slice(colon + 1) };
}

/** validate_quotes: a quoted value must be a whole, comma-separated item and be closed. */
function validateQuotes(value: string): void {
  let open = true;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '"' || (i > 0 && value[i - 1] === '\\')) continue;
    if (open) {
      if (i > 0 && value[i - 1] !== ',')
        throw new BadRequest(`Invalid filter value ${value}. There is no comma before opening quotation mark.`);
    } else if (i + 1 !== value.length && value[i + 1] !== ',') {
      throw new BadRequest(`Invalid filter value ${value}. There is no comma after closing quotation mark.`);
    }
    open = !open;
  }
  if (!open) throw new BadRequest(`Invalid filter value ${value}. The quote is not closed.`);
}

/** split_filter_value_for_quotes: `a,"b,c",d` → a | b,c | d (backslash escapes are kept as sent). */
export function splitInValues(value: string): string[] {
  validateQuotes(value);
  const out: string[] = [];
  for (const m of value.matchAll(/"([^"\\]*(?:\\.[^"\\]*)*)",?|([^,]+),?|,/g)) out.push(m[1] || m[2] || '');
  return out;
}

/** A name/id/status/container_format/disk_format filter: one value (eq) or a list (in). */
export function parseListFilter(expression: string): string | string[] {
  const { op, value } = splitFilterOp(expression, LIST_OPS);
  return op === 'in' ? splitInValues(value) : value;
}

/** created_at / updated_at: the time is checked before the operator, as Glance does. */
export function parseTimeFilter(key: TimeFilter['key'], expression: string): TimeFilter {
  const { op, value } = splitFilterOp(expression, TIME_OP_NAMES);
  const threshold = utcThreshold(value);
  if (threshold === null) throw new BadRequest(`Bad "${key}" query filter format. Use ISO 8601 DateTime notation.`);
  return { key, op: TIME_OPS[op], value: threshold };
}

/** size_min & co: Python's int() of the text, else Glance's range message. */
export function parseRangeFilter(param: `${RangeFilter['key']}_${'min' | 'max'}`, text: string): RangeFilter {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new BadRequest('Unable to filter on a range with a non-numeric value.');
  const key = param.slice(0, -4) as RangeFilter['key'];
  // Python's int has no bounds; no size reaches 2^53, so clamping changes no answer.
  const value = Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Number(text)));
  return { key, op: param.endsWith('_min') ? '>=' : '<=', value };
}
