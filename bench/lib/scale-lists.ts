// Issue 16's list lines at scale, shared by bench/fake-scale.ts (the official figures) and
// bench/list-scale.ts (its in-process iteration copy), so the two measure the same requests.
import type { FastifyInstance } from 'fastify';
import { freePort } from './common.js';

export interface ScaleList {
  name: string;
  path: string;
  /** the target, ms */
  targetMs: number;
}

/** The four lists, `host` being one fake host's name; the name regex matches no server either bench makes. */
export function scaleLists(host: string): ScaleList[] {
  return [
    { name: 'GET /servers/detail?limit=1000', path: '/compute/v2.1/servers/detail?limit=1000', targetMs: 30 },
    {
      name: 'filtered GET /servers/detail?status=ACTIVE&limit=1000',
      path: '/compute/v2.1/servers/detail?status=ACTIVE&limit=1000',
      targetMs: 50,
    },
    {
      name: 'filtered GET /servers/detail?name=<regex>',
      path: '/compute/v2.1/servers/detail?name=scale-1%5B0-9%5D*7%24',
      targetMs: 50,
    },
    {
      name: 'filtered GET /servers/detail?host=<one host>',
      path: `/compute/v2.1/servers/detail?host=${encodeURIComponent(host)}`,
      targetMs: 50,
    },
  ];
}

/** The baseline: `bare` answers each URL with the document stored for it in `documents`. */
export async function serveDocuments(
  bare: FastifyInstance,
): Promise<{ documents: Map<string, unknown>; port: number }> {
  const documents = new Map<string, unknown>();
  bare.get('/*', async (req) => documents.get(req.url));
  const port = await freePort();
  await bare.listen({ host: '127.0.0.1', port });
  return { documents, port };
}
