// The committed OpenAPI document must match what the routes generate (run `npm run openapi`).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOpenapi } from '../helpers/openapi.js';

describe('openapi/openapi.json', () => {
  it('is up to date with the route schemas', async () => {
    const committed = fs.readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    const generated = await renderOpenapi();
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
  });

  it('documents request bodies that refuse unknown keys', async () => {
    const doc = JSON.parse(await renderOpenapi());
    const bodies: [string, Record<string, unknown>][] = [];
    for (const [p, ops] of Object.entries<
      Record<string, { requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }>
    >(doc.paths ?? {})) {
      for (const [, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        // Glance image bodies take arbitrary custom properties by design (additionalProperties: string);
        // flavor extra specs are keyed by the spec's own name (Nova: patternProperties, which
        // @fastify/swagger renders as an additionalProperties schema); Keystone's own schemas let
        // users, projects and auth bodies carry extra attributes (additionalProperties: true).
        const freeForm = p.startsWith('/image/') || p.startsWith('/identity/') || p.includes('/os-extra_specs');
        if (schema && schema.type === 'object' && !freeForm) bodies.push([p, schema]);
      }
    }
    for (const [p, schema] of bodies) {
      expect({ path: p, additionalProperties: schema.additionalProperties }).toEqual({
        path: p,
        additionalProperties: false,
      });
    }
  });
});
