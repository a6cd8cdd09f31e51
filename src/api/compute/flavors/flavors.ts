// GET /flavors, /flavors/detail, /flavors/{id}; admin POST /flavors, PUT /flavors/{id} (2.55),
// DELETE /flavors/{id}. Thin: parse, authorize, call services.flavors, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest, additionalPropertyMessage } from '../../../errors.js';
import { authorize, canRead, isAdmin, projectOf } from '../../../identity/policy.js';
import { assertValid } from '../../../plugins/validation.js';
import { type NewFlavor, MAX_LIMIT } from '../../../compute/flavors/flavor-service.js';
import { baseUrl } from '../../urls.js';
import { createFlavorBodies, listQuerySchemas, updateFlavorBodies } from './schemas.js';
import {
  FLAVOR_EXTRA_SPECS_MICROVERSION,
  flavorCollectionLinks,
  renderFlavorBasic,
  renderFlavorShow,
  type ViewContext,
} from './views.js';
import { parsePyInt, validName, INVALID_NAME_MESSAGE } from './flavor-params.js';
import { strictBool } from '../../../contract/parameter-types.js';

const PREFIX = '/compute/v2.1/flavors';

interface CreateBody {
  flavor: {
    name: string;
    id?: string | number | null;
    ram: number | string;
    vcpus: number | string;
    disk: number | string;
    'OS-FLV-EXT-DATA:ephemeral'?: number | string;
    swap?: number | string;
    rxtx_factor?: number | string;
    'os-flavor-access:is_public'?: boolean | string;
    description?: string | null;
  };
}

export async function flavorRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { flavors, config } = opts.services;
  // Python's json prints the float rxtx_factor as 1.0 (clients echo it); JSON.stringify would print 1.
  app.setReplySerializer((payload) =>
    JSON.stringify(payload).replace(/"rxtx_factor":(-?\d+)(?=[,}])/g, '"rxtx_factor":$1.0'),
  );
  const view = (req: FastifyRequest): ViewContext => ({
    base: baseUrl(req, config.publicUrl),
    version: req.apiVersion,
  });
  /** Extra specs are embedded from 2.61 for callers allowed to read them (os-flavor-extra-specs:index). */
  const wantsExtraSpecs = (req: FastifyRequest) =>
    req.apiVersion.gte(FLAVOR_EXTRA_SPECS_MICROVERSION) && canRead(req.auth);

  async function list(req: FastifyRequest, detail: boolean) {
    projectOf(req.auth);
    // webob keeps every value of a repeated name; its .get() returns the last one.
    const pairs = [...new URLSearchParams(req.url.split('?')[1] ?? '').entries()];
    const q: Record<string, string> = {};
    for (const [k, v] of pairs) q[k] = v;
    const schema = listQuerySchemas.find((s) => req.apiVersion.within(s.min, s.max))!.schema as {
      properties: object;
      additionalProperties: boolean;
    };
    if (!schema.additionalProperties) {
      const unknown = Object.keys(q).find((k) => !(k in schema.properties));
      if (unknown) throw new BadRequest(additionalPropertyMessage(unknown));
    }
    assertValid(schema, q, 'querystring');

    let isPublic: boolean | null = true;
    if (isAdmin(req.auth) && q.is_public !== undefined) {
      if (q.is_public.toLowerCase() === 'none') isPublic = null;
      else {
        const b = strictBool(q.is_public);
        if (b === undefined) throw new BadRequest(`Invalid is_public filter [${q.is_public}]`);
        isPublic = b;
      }
    }
    const minRam = q.minRam === undefined ? undefined : parsePyInt(q.minRam);
    if (minRam === null) throw new BadRequest(`Invalid minRam filter [${q.minRam}]`);
    const minDisk = q.minDisk === undefined ? undefined : parsePyInt(q.minDisk);
    if (minDisk === null) throw new BadRequest(`Invalid minDisk filter [${q.minDisk}]`);
    const limit = q.limit === undefined ? 0 : Number(q.limit);

    const rows = await flavors.list(req.auth, {
      isPublic,
      minRam,
      minDisk,
      limit,
      marker: q.marker,
      sortKey: q.sort_key || 'flavorid',
      sortDir: (q.sort_dir || 'asc') as 'asc' | 'desc',
    });
    const ctx = view(req);
    let items;
    if (detail) {
      const specs = wantsExtraSpecs(req) ? await flavors.extraSpecsFor(rows.map((r) => r.id)) : undefined;
      items = rows.map((r) => renderFlavorShow(ctx, r, specs?.get(r.id)));
    } else {
      items = rows.map((r) => renderFlavorBasic(ctx, r));
    }
    // Nova's page size for the next link: the requested limit, or max_limit when absent or larger.
    const pageLimit = q.limit === undefined || limit > MAX_LIMIT ? MAX_LIMIT : limit;
    const links = flavorCollectionLinks(ctx, detail ? 'flavors/detail' : 'flavors', pairs, rows, pageLimit);
    return links.length ? { flavors: items, flavors_links: links } : { flavors: items };
  }

  async function show(req: FastifyRequest, id: string) {
    const flavor = await flavors.get(id, req.auth);
    const specs = wantsExtraSpecs(req) ? await flavors.extraSpecs(flavor.id) : undefined;
    return { flavor: renderFlavorShow(view(req), flavor, specs) };
  }

  app.get(PREFIX, async (req) => list(req, false));
  app.get(`${PREFIX}/detail`, async (req) => list(req, true));
  app.get<{ Params: { flavorId: string } }>(`${PREFIX}/:flavorId`, async (req) => show(req, req.params.flavorId));

  app.post(PREFIX, { config: { bodies: createFlavorBodies } }, async (req) => {
    const f = (req.body as CreateBody).flavor;
    if (!validName(f.name)) throw new BadRequest(INVALID_NAME_MESSAGE);
    authorize(req.auth, 'admin', 'os_compute_api:os-flavor-manage:create');
    const spec: NewFlavor = {
      id: f.id === undefined || f.id === null || f.id === 0 ? null : String(f.id),
      name: f.name.trim(),
      memoryMb: intArg(f.ram, 'ram', 1),
      vcpus: intArg(f.vcpus, 'vcpus', 1),
      rootGb: intArg(f.disk, 'disk', 0),
      ephemeralGb: intArg(f['OS-FLV-EXT-DATA:ephemeral'] ?? 0, 'ephemeral', 0),
      swap: intArg(f.swap ?? 0, 'swap', 0),
      rxtxFactor: Number(f.rxtx_factor ?? 1.0),
      isPublic: strictBool(f['os-flavor-access:is_public'] ?? true) ?? true,
      description: f.description ?? null,
    };
    const flavor = await flavors.create(spec);
    return { flavor: renderFlavorShow(view(req), flavor, wantsExtraSpecs(req) ? {} : undefined) };
  });

  app.put<{ Params: { flavorId: string } }>(
    `${PREFIX}/:flavorId`,
    { config: { bodies: updateFlavorBodies, minVersion: '2.55' } },
    async (req) => {
      authorize(req.auth, 'admin', 'os_compute_api:os-flavor-manage:update');
      const { description } = (req.body as { flavor: { description: string | null } }).flavor;
      const flavor = await flavors.updateDescription(req.params.flavorId, description);
      const specs = wantsExtraSpecs(req) ? await flavors.extraSpecs(flavor.id) : undefined;
      return { flavor: renderFlavorShow(view(req), flavor, specs) };
    },
  );

  app.delete<{ Params: { flavorId: string } }>(`${PREFIX}/:flavorId`, async (req, reply) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-flavor-manage:delete');
    await flavors.delete(req.params.flavorId);
    return reply.code(202).send();
  });
}

/** nova utils.validate_integer: "ram must be >= 1" as InvalidInput (400). */
function intArg(value: number | string, name: string, min: number): number {
  const n = parsePyInt(String(value));
  if (n === null) throw new BadRequest(`Invalid input received: ${name} must be an integer`);
  if (n < min) throw new BadRequest(`Invalid input received: ${name} must be >= ${min}`);
  if (n > 2147483647) throw new BadRequest(`Invalid input received: ${name} must be <= 2147483647`);
  return n;
}
