// requiredLiteral: the text every match of a server-list regex must contain (MySQL's reading: a
// search, ASCII case-insensitive, `|` literal), which the list narrows with a LIKE before matching.
// Checked by example and against the regex itself: every string the pattern matches contains it.
import { describe, expect, it } from 'vitest';
import { mysqlRegex, requiredLiteral, requiredLiterals } from '../../src/compute/servers/regex-filter.js';

describe('requiredLiteral', () => {
  it.each([
    ['scale-1[0-9]*7$', 'scale-1'],
    ['^web', 'web'],
    ['Web-0', 'web-0'],
    ['ab*c', null],
    ['abc*d', 'ab'],
    ['abc?', 'ab'],
    ['abc{2}de', 'ab'],
    ['ab+cd', 'ab'],
    ['x.yz', 'yz'],
    ['a\\.bc', 'a.bc'],
    ['\\d\\dab', 'ab'],
    ['(abc)?de', 'de'],
    ['(ab|cd)ef', 'ef'],
    ['a|bc', 'a|bc'],
    ['[abc]+', null],
    ['[x]yz]ab', 'yz]ab'],
    ['é-server', '-server'],
    ['.*', null],
    ['a', null],
    ['ab)', null],
  ])('%s -> %s', (pattern, want) => {
    expect(requiredLiteral(pattern)).toBe(want);
  });

  it.each([
    ['scale-1[0-9]*7$', ['scale-1', '7']],
    ['abc*d', ['ab', 'd']],
    ['ab+cd', ['ab', 'cd']],
    ['x(y|z)*w-q', ['x', 'w-q']],
    ['Web-0', ['web-0']],
    ['a', []],
    ['.*', []],
    ['ab)', []],
  ])('requiredLiterals %s -> %j', (pattern, want) => {
    expect(requiredLiterals(pattern)).toEqual(want);
  });

  it('every string a pattern matches contains its literal, whatever the case', () => {
    const patterns = ['scale-1[0-9]*7$', 'ab+cd', 'abc?d', 'x(y|z)*w-q', 'a\\.b{1,2}c', 'vm-\\d+-web', 'A|B-c'];
    const alphabet = [
      'a',
      'b',
      'c',
      'd',
      'q',
      'w',
      'x',
      'y',
      'z',
      '-',
      '.',
      '|',
      '1',
      '7',
      'A',
      'B',
      'C',
      'W',
      'V',
      'M',
    ];
    // pieces of the patterns, so that each matches some strings
    alphabet.push('vm-', 'scale-1', 'web', 'ab', 'cd', 'xy', 'zw', '-q', 'a.b', 'A|B', '-c', '-web', 'bbc');
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
    for (const pattern of patterns) {
      const re = mysqlRegex(pattern);
      const literal = requiredLiteral(pattern);
      let matched = 0;
      for (let i = 0; i < 50000; i++) {
        const s = Array.from({ length: 1 + rnd(4) }, () => alphabet[rnd(alphabet.length)]).join('');
        if (!re.test(s)) continue;
        matched++;
        if (literal !== null) expect(s.toLowerCase()).toContain(literal);
        // ... and all its literal runs, in order
        let at = 0;
        for (const part of requiredLiterals(pattern)) {
          const found = s.toLowerCase().indexOf(part, at);
          expect(found, `${pattern} ${s}`).toBeGreaterThanOrEqual(0);
          at = found + part.length;
        }
      }
      expect(matched, pattern).toBeGreaterThan(0);
    }
  });
});
