// The extra spec table and its checks (src/compute/extra-spec-validators/) against answers
// recorded from Nova Zed's own validators.validate, plus Python's int() and the regex edge cases.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extraSpecProblem } from '../../src/compute/flavors/extra-specs/validate.js';
import { KNOWN_SPECS, NAMESPACES } from '../../src/compute/flavors/extra-specs/registry.js';
import { STANDARD_TRAITS } from '../../src/compute/flavors/extra-specs/standard-traits.js';
import { STANDARD_RESOURCE_CLASSES } from '../../src/compute/flavors/extra-specs/placement.js';
import { pythonInt } from '../../src/compute/flavors/extra-specs/value-rules.js';

const recorded = JSON.parse(
  fs.readFileSync(new URL('../fixtures/nova-extra-spec-validation.json', import.meta.url), 'utf8'),
) as {
  cases: [string, string, string | null][];
};

describe('answers as Nova Zed gives them', () => {
  it.each(recorded.cases)('%j = %j', (key, value, message) => {
    expect(extraSpecProblem(key, value) ?? null).toBe(message);
  });
});

describe('the table', () => {
  it('claims the namespaces of the 2.86 release note, less powervm (its validators left Nova with the driver in Zed)', () => {
    const group = '(?:([a-zA-Z0-9_-]{1,64})?)';
    expect(NAMESPACES.map((r) => r.source.slice(4, -2)).sort()).toEqual([
      'accel',
      'aggregate_instance_extra_specs',
      'capabilities',
      'hw',
      'hw_rng',
      'hw_video',
      'os',
      'pci_passthrough',
      'quota',
      `resources${group}`,
      `trait${group}`,
      'vmware',
    ]);
  });
  it('has every spec name once, 345 standard traits and 21 standard resource classes', () => {
    const names = KNOWN_SPECS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(STANDARD_TRAITS).size).toBe(345);
    expect(STANDARD_RESOURCE_CLASSES).toHaveLength(21);
  });
  it('a request-group suffix belongs to the namespace: traits:X is trait group "s"', () => {
    expect(extraSpecProblem('traits:HW_CPU_X86_AVX2', 'required')).toBeUndefined();
    expect(extraSpecProblem('traits:NOPE', 'required')).toBe(
      "Validation failed; extra spec 'traits:NOPE' does not appear to be a valid extra spec.",
    );
  });
});

describe("Python's int()", () => {
  it.each([
    ['7', 7n],
    [' -12 ', -12n],
    ['+3', 3n],
    ['010', 10n],
    ['1_000', 1000n],
    ['\u0661\u0662', 12n],
    ['\u30007\u3000', 7n],
    ['9'.repeat(30), BigInt('9'.repeat(30))],
  ])('%j is %s', (text, n) => {
    expect(pythonInt(text)).toBe(n);
  });
  it.each(['', ' ', '1.5', '1e3', '0x10', '1__0', '_1', '1_', '--1', '\x1c5', '\ufeff5', 'True'])(
    '%j is not an integer',
    (text) => {
      expect(pythonInt(text)).toBeUndefined();
    },
  );
});

describe('value patterns', () => {
  /** Every string over `alphabet` up to `maxLength` characters. */
  const allStrings = (alphabet: string[], maxLength: number) => {
    const out: string[] = [];
    let layer = [''];
    for (let len = 1; len <= maxLength; len++) {
      layer = layer.flatMap((s) => alphabet.map((c) => s + c));
      out.push(...layer);
    }
    return out;
  };
  // Nova's own patterns, safe to run on short strings, against the spec's check.
  it.each([
    ['hw:pmem', '([a-zA-Z0-9_]+(,)?)+', ['a', ',', '-'], 8],
    ['hw:cpu_realtime_mask', String.raw`(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*`, ['1', '-', ',', '^'], 7],
    ['hw:numa_cpus.3', String.raw`\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*`, ['1', '-', ',', '^'], 7],
    ['pci_passthrough:alias', String.raw`[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*`, ['a', ':', '1', ',', ' '], 6],
  ] as const)(
    "%s accepts exactly the strings Nova's pattern accepts (all short strings)",
    (key, pattern, alphabet, maxLength) => {
      const nova = new RegExp(`^(?:${pattern})$`);
      const strings = allStrings([...alphabet], maxLength);
      expect(strings.length).toBeGreaterThan(5000);
      const accepted = strings.filter((s) => extraSpecProblem(key, s) === undefined);
      expect(accepted).toEqual(strings.filter((s) => nova.test(s)));
      expect(accepted.length).toBeGreaterThan(50);
    },
  );
  it('answers at once for 255-character values built to make a backtracking regex hang', () => {
    const started = Date.now();
    expect(extraSpecProblem('hw:pmem', `${'a'.repeat(254)}!`)).toMatch(/is not of the format/);
    expect(extraSpecProblem('hw:pmem', `${'a,'.repeat(127)}!`)).toMatch(/is not of the format/);
    expect(extraSpecProblem('pci_passthrough:alias', `${'a:1,'.repeat(63)}xyz`)).toMatch(/is not of the format/);
    expect(extraSpecProblem('hw:cpu_realtime_mask', `${'1-1,'.repeat(63)}x`)).toMatch(/is not of the format/);
    expect(extraSpecProblem('hw:numa_cpus.0', `${'1'.repeat(254)}-`)).toMatch(/is not of the format/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
