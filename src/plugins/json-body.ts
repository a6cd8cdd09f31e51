// Request bodies as JSON, for every service. Two guards on top of JSON.parse:
//  - nesting deeper than MAX_JSON_DEPTH is a malformed body (a SyntaxError, which the error handler
//    renders as each service's 400 "Malformed request body"). V8 parses any depth, but walking the
//    result (the reviver below, validation, the handlers) recurses: 100,000 levels overflowed the
//    stack and answered 500 (issue 17). The Python services stop near 1,000 levels too (the json
//    module's recursion limit), so no OpenStack client can need more.
//  - `__proto__` keys are dropped (no prototype pollution through Object.assign later).

export const MAX_JSON_DEPTH = 1000;
import { MALFORMED_BODY } from '../errors.js';

/** Nesting depth of JSON text (brackets outside strings), stopping early once over `limit`. */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** The body as JSON (null when blank); throws SyntaxError when it is malformed or nested too deep. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return null;
  if (jsonDepthExceeds(text)) throw new SyntaxError(MALFORMED_BODY);
  return JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v));
}
