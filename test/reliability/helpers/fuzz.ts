// A tiny seeded generator of malformed requests (no dependency): a PRNG, hostile strings and
// numbers, JSON values derived from (and then broken against) an OpenAPI request-body schema.

/** mulberry32: small, fast, reproducible from one 32-bit seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly rnd: () => number) {}
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** Strings that have broken parsers before. */
  hostileString(): string {
    const base = [
      '',
      ' ',
      'a',
      'A'.repeat(256),
      'x'.repeat(70_000),
      '\u0000',
      'nul\u0000byte',
      '../../etc/passwd',
      '%00',
      '%2e%2e%2f',
      "' OR 1=1 --",
      '"; DROP TABLE instances; --',
      '<script>alert(1)</script>',
      '${jndi:ldap://x}',
      '{{7*7}}',
      '\ud800',
      '\uffff',
      '😀'.repeat(40),
      'ünïcödé',
      '\r\nX-Injected: 1',
      '-1',
      '0',
      '1e309',
      'NaN',
      'Infinity',
      'null',
      'true',
      '[]',
      '{}',
      '2.999',
      'latest',
      '00000000-0000-0000-0000-000000000000',
      'not-a-uuid',
      '9'.repeat(40),
      ' leading',
      'trailing ',
      '\t',
      '%',
      '%%',
      '%zz',
      '#',
      '?',
      '/',
      '\\',
    ];
    const s = this.pick(base);
    return this.chance(0.2) ? s + this.pick(base) : s;
  }

  hostileNumber(): number {
    return this.pick([
      0,
      -1,
      1,
      2 ** 31,
      2 ** 53,
      -(2 ** 53),
      1.5,
      -0.0001,
      1e308,
      Number.MAX_SAFE_INTEGER,
      65536,
      999999999,
    ]);
  }

  /** Any JSON value, nested up to `depth`. */
  anyValue(depth = 2): unknown {
    switch (this.int(depth > 0 ? 8 : 5)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.hostileNumber();
      case 3:
        return this.hostileString();
      case 4:
        return this.chance(0.5) ? {} : [];
      case 5:
        return Array.from({ length: this.int(4) }, () => this.anyValue(depth - 1));
      case 6:
        return Object.fromEntries(
          Array.from({ length: this.int(4) }, () => [this.hostileString().slice(0, 40), this.anyValue(depth - 1)]),
        );
      default:
        return this.deepNest(this.int(200) + 1);
    }
  }

  deepNest(n: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < n; i += 1) v = this.chance(0.5) ? [v] : { a: v };
    return v;
  }

  /**
   * JSON text too big to build as a value (JSON.stringify would overflow its own stack): nesting
   * 100,000 deep (arrays or objects, 0.2–0.6 MB), an array of 200,000 items, a string of 1–4 MB.
   * Every one is well under the 16 MiB body limit, so it reaches the parser and what follows.
   */
  hugeJsonText(): string {
    const n = 100_000;
    switch (this.int(4)) {
      case 0:
        return '['.repeat(n) + '1' + ']'.repeat(n);
      case 1:
        return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
      case 2:
        return `[${Array.from({ length: 200_000 }, (_, i) => (i % 3 === 0 ? '"x"' : String(i))).join(',')}]`;
      default:
        return JSON.stringify(this.pick(['x', '\u00e9', '😀', '"', '\\']).repeat((1 + this.int(4)) * 1024 * 1024));
    }
  }

  /** A value that fits `schema` roughly (so validation gets past the outer layers), then mutated. */
  fromSchema(schema: any, depth = 0): unknown {
    if (!schema || depth > 6) return this.anyValue(1);
    if (schema.oneOf || schema.anyOf) return this.fromSchema(this.pick(schema.oneOf ?? schema.anyOf), depth + 1);
    if (schema.enum) return this.chance(0.8) ? this.pick(schema.enum) : this.hostileString();
    const type = Array.isArray(schema.type) ? this.pick(schema.type) : schema.type;
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const props = schema.properties ?? {};
        for (const [k, s] of Object.entries(props)) {
          if ((schema.required ?? []).includes(k) || this.chance(0.5))
            out[k] = this.mutate(this.fromSchema(s, depth + 1));
        }
        if (this.chance(0.15)) out[this.hostileString().slice(0, 30) || 'extra'] = this.anyValue(1);
        return out;
      }
      case 'array':
        return Array.from({ length: this.int(3) }, () => this.fromSchema(schema.items, depth + 1));
      case 'string': {
        if (schema.format === 'uuid' && this.chance(0.6)) return '3f1b8a52-8d0e-4c1e-9a8e-2d7b1c3e4f5a';
        return this.chance(0.5) ? 'fuzz' : this.hostileString();
      }
      case 'integer':
        return this.chance(0.5) ? 1 : this.hostileNumber();
      case 'number':
        return this.hostileNumber();
      case 'boolean':
        return this.chance(0.8) ? this.chance(0.5) : this.hostileString();
      case 'null':
        return null;
      default:
        return this.anyValue(1);
    }
  }

  /** Sometimes replaces a value by one of the wrong type. */
  mutate(v: unknown): unknown {
    return this.chance(0.25) ? this.anyValue(1) : v;
  }
}
