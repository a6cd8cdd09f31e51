// Glance's comparative list filters (glance/common/utils.py split_filter_op,
// split_filter_value_for_quotes, evaluate_filter_op and the db layer's rules):
//   name / id / status / container_format / disk_format = [eq:]v | in:v1,"v,2",v3
//   created_at / updated_at = [op:]ISO-8601 with op one of eq neq gt gte lt lte
//   size_min / size_max / virtual_size_min / virtual_size_max = integer
// Parsing only; the repository turns the result into SQL.
import { BadRequest } from '../errors.js';
import type { TimeOp, RangeFilter, TimeFilter } from '../db/repositories/images-repo.js';

// iso8601's common forms: a date, optionally a time (minutes, seconds, fraction) and a zone.
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An ISO 8601 time as UTC "YYYY-MM-DDTHH:MM:SS" plus the fraction when it is not zero, or null
 * when it is not one. That text compares as a string exactly as the times compare, against the
 * first 19 characters of a stored timestamp (Glance's datetime columns hold whole seconds).
 */
export function utcThreshold(text: string): string | null {
  const m = ISO_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  // setUTCFullYear, not Date.UTC: that one reads years below 100 as 19xx.
  const back = new Date(Date.UTC(2000, 0, 1));
  back.setUTCFullYear(fields[0], fields[1], fields[2]);
  back.setUTCHours(fields[3], fields[4], fields[5]);
  const local = back.getTime();
  // 2026-02-30 rolls over to March: such a date does not exist (nor does year 0, for Python).
  if (
    fields[0] < 1 ||
    back.getUTCFullYear() !== fields[0] ||
    back.getUTCMonth() !== fields[1] ||
    back.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  )
    return null;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const utc = new Date(local - offsetMinutes * 60_000).toISOString().slice(0, 19);
  const fraction = frac.slice(0, 6).replace(/0+$/, '');
  return fraction ? `${utc}.${fraction}` : utc;
}

/** split_filter_op: "op:value", or the whole text with `eq` when it has no colon or is a time. */
export function splitFilterOp(expression: string): { op: string; value: string } {
  const colon = expression.indexOf(':');
  if (colon < 0 || utcThreshold(expression) !== null) return { op: 'eq', value: expression };
  return { op: expression.slice(0, colon), value: expression.slice(colon + 1) };
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
  const { op, value } = splitFilterOp(expression);
  if (op === 'in') return splitInValues(value);
  if (op === 'eq') return value;
  throw new BadRequest(`Unable to filter by unknown operator '${op}'.`);
}

const TIME_OPS: Record<string, TimeOp> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** created_at / updated_at: the time is checked before the operator, as Glance does. */
export function parseTimeFilter(key: TimeFilter['key'], expression: string): TimeFilter {
  const { op, value } = splitFilterOp(expression);
  const threshold = utcThreshold(value);
  if (threshold === null) throw new BadRequest(`Bad "${key}" query filter format. Use ISO 8601 DateTime notation.`);
  const sqlOp = TIME_OPS[op];
  if (!sqlOp) throw new BadRequest('Unable to filter on a unknown operator.');
  return { key, op: sqlOp, value: threshold };
}

/** size_min & co: Python's int() of the text, else Glance's range message. */
export function parseRangeFilter(param: `${RangeFilter['key']}_${'min' | 'max'}`, text: string): RangeFilter {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new BadRequest('Unable to filter on a range with a non-numeric value.');
  const key = param.slice(0, -4) as RangeFilter['key'];
  // Python's int has no bounds; no size reaches 2^53, so clamping changes no answer.
  const value = Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Number(text)));
  return { key, op: param.endsWith('_min') ? '>=' : '<=', value };
}
