// The request-body JSON parser: depth limit (brackets inside strings do not count, escapes are
// skipped), blank bodies, __proto__ keys dropped.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonDepthExceeds, parseJsonBody } from '../../src/plugins/json-body.js';

const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('parseJsonBody', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more as a malformed body`, () => {
    expect(jsonDepthExceeds(nest(MAX_JSON_DEPTH))).toBe(false);
    expect(() => parseJsonBody(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parseJsonBody(nest(MAX_JSON_DEPTH + 1))).toThrow(new SyntaxError('Malformed request body'));
    expect(() => parseJsonBody(`{"server":${nest(100_000)}}`)).toThrow(SyntaxError);
  });

  it('counts no bracket inside a string, escaped quotes included', () => {
    const s = JSON.stringify({ a: '[{'.repeat(5000) + '\\"[[[' });
    expect(jsonDepthExceeds(s)).toBe(false);
    expect(parseJsonBody(s)).toEqual(JSON.parse(s));
  });

  it('blank is null; __proto__ keys are dropped', () => {
    expect(parseJsonBody('  \n')).toBeNull();
    const v = parseJsonBody('{"__proto__":{"x":1},"a":{"__proto__":2,"b":3}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['a']);
    expect(v.a).toEqual({ b: 3 });
  });
});
