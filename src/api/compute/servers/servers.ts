// /servers: create, list (summary and detail), show, update, delete. Thin: parse, call the compute
// API (which owns every rule), render the view for the request's microversion.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { baseUrl, COMPUTE_PREFIX } from '../../urls.js';
import { createServerBodies, updateServerBodies, STRICT_LIST_QUERY_SCHEMA } from './schemas/servers.js';
import {
  renderServerBasic,
  renderServerCreate,
  renderServerShow,
  serverLinks,
  SERVER_BASIC_COLUMNS,
  SERVER_VIEW_COLUMNS,
  type ServerViewContext,
} from './views/servers.js';
import { EXTRAS_COLUMNS } from '../../../compute/servers/server-extras.js';
import type { CreateServerInput, NetworksRequest } from '../../../compute/servers/compute-api.js';
import type { BdmV2, LegacyBdm, PersonalityFile } from '../../../compute/servers/create-options.js';
import { assertValid } from '../../../plugins/validation.js';
import { sendJsonList } from '../../json-list-body.js';

type SchedulerHints = { group?: string | string[] } & Record<string, unknown>;
interface CreateBody {
  'os:scheduler_hints'?: SchedulerHints;
  'OS-SCH-HNT:scheduler_hints'?: SchedulerHints;
  server: {
    name: string;
    imageRef?: string;
    flavorRef: string | number;
    adminPass?: string;
    metadata?: Record<string, string>;
    networks?: NetworksRequest;
    accessIPv4?: string;
    accessIPv6?: string;
    availability_zone?: string;
    config_drive?: boolean | string;
    key_name?: string;
    min_count?: number | string;
    max_count?: number | string;
    return_reservation_id?: boolean | string;
    user_data?: string;
    description?: string | null;
    tags?: string[];
    hostname?: string;
    host?: string;
    hypervisor_hostname?: string;
    trusted_image_certificates?: string[] | null;
    personality?: PersonalityFile[];
    block_device_mapping?: LegacyBdm[];
    block_device_mapping_v2?: BdmV2[];
    security_groups?: { name?: string }[];
  };
}
interface UpdateBody {
  server: { name?: string; description?: string | null; accessIPv4?: string; accessIPv6?: string; hostname?: string };
}

/** What a detail list reads of each row: the view's columns and the extras loader's. */
const DETAIL_COLUMNS = [...new Set([...SERVER_VIEW_COLUMNS, ...EXTRAS_COLUMNS])];

type Query = Record<string, string | string[]>;

const TRUE_SPELLINGS = new Set(['true', '1', 'on', 'yes', 'y', 't']);
const bool = (v: boolean | string | undefined) =>
  v === true || (typeof v === 'string' && TRUE_SPELLINGS.has(v.toLowerCase()));

export async function serverRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute, serverLister, serverExtras, config, hostHealth } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers`;
  const view = (req: FastifyRequest): ServerViewContext => ({
    base: baseUrl(req, config.publicUrl),
    version: req.apiVersion,
    auth: req.auth,
    hostUp: (h) => hostHealth.isUp(h),
  });

  app.post(base, { config: { bodies: createServerBodies } }, async (req, reply) => {
    const body = req.body as CreateBody;
    const s = body.server;
    const hints = body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints'] ?? {};
    const group = Array.isArray(hints.group) ? hints.group[0] : hints.group;
    const count = (v: number | string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
    const minCount = count(s.min_count) ?? 1;
    const maxCount = count(s.max_count) ?? minCount;
    const input: CreateServerInput = {
      name: s.name,
      imageRef: s.imageRef,
      flavorRef: String(s.flavorRef),
      minCount,
      maxCount,
      networks: s.networks,
      metadata: s.metadata ?? {},
      userData: s.user_data ?? null,
      keyName: s.key_name ?? null,
      availabilityZone: s.availability_zone ?? null,
      accessIPv4: s.accessIPv4 || null,
      accessIPv6: s.accessIPv6 || null,
      description: s.description ?? null,
      tags: s.tags ?? [],
      hostname: s.hostname ?? null,
      adminPass: s.adminPass ?? null,
      configDrive: bool(s.config_drive),
      requestedHost: s.host ?? s.hypervisor_hostname ?? null,
      trustedCerts: s.trusted_image_certificates ?? null,
      serverGroup: typeof group === 'string' && group ? group : null,
      personality: s.personality,
      blockDeviceMapping: s.block_device_mapping,
      blockDeviceMappingV2: s.block_device_mapping_v2,
      // nova servers.py: the names given (an item without one is skipped), duplicates once
      securityGroups: s.security_groups?.flatMap((g) => (g.name ? [g.name] : [])),
    };
    const result = await compute.create(req.auth, req.id, input);
    reply.code(202);
    if (bool(s.return_reservation_id)) return { reservation_id: result.reservationId };
    const first = result.instances[0];
    const ctx = view(req);
    reply.header('Location', serverLinks(ctx.base, first.uuid)[0].href);
    return renderServerCreate(ctx, first, result.adminPass, s.security_groups);
  });

  /** Nova's next link: the request's query with the page's last server as the marker. */
  const nextLinks = (ctx: ServerViewContext, query: Query, last: string, detail: boolean) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k === 'marker') continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
    }
    params.set('marker', last);
    return [{ rel: 'next', href: `${ctx.base}${base}${detail ? '/detail' : ''}?${params.toString()}` }];
  };
  // Each list reads only the columns its view renders, and is printed a server at a time into one
  // pooled buffer (json-list-body.ts).
  const list = (detail: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const query = req.query as Query;
    if (req.apiVersion.gte('2.75')) assertValid(STRICT_LIST_QUERY_SCHEMA, query, 'querystring');
    const ctx = view(req);
    const links = (rows: { uuid: string }[], more: boolean) =>
      more && rows.length ? nextLinks(ctx, query, rows[rows.length - 1].uuid, detail) : undefined;
    if (!detail) {
      const { rows, more } = await serverLister.list(req.auth, req.apiVersion, query, SERVER_BASIC_COLUMNS);
      return sendJsonList(reply, 'servers', rows, (r) => renderServerBasic(ctx, r), {
        servers_links: links(rows, more),
      });
    }
    const { rows, more } = await serverLister.list(req.auth, req.apiVersion, query, DETAIL_COLUMNS);
    const extras = await serverExtras.loadMany(rows);
    return sendJsonList(reply, 'servers', rows, (r) => renderServerShow(ctx, r, extras.get(r.uuid)!, 'detail'), {
      servers_links: links(rows, more),
    });
  };
  app.get(base, list(false));
  app.get(`${base}/detail`, list(true));

  app.get<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
    const { row, extras } = await compute.getForView(req.auth, req.params.id);
    return { server: renderServerShow(view(req), row, extras, 'show') };
  });

  app.put<{ Params: { id: string } }>(`${base}/:id`, { config: { bodies: updateServerBodies } }, async (req) => {
    const s = (req.body as UpdateBody).server;
    const row = await compute.update(req.auth, req.params.id, {
      name: s.name,
      description: s.description,
      accessIPv4: s.accessIPv4,
      accessIPv6: s.accessIPv6,
      hostname: s.hostname,
    });
    return { server: renderServerShow(view(req), row, await serverExtras.loadOne(row), 'update') };
  });

  app.delete<{ Params: { id: string } }>(`${base}/:id`, async (req, reply) => {
    await compute.delete(req.auth, req.id, req.params.id);
    return reply.code(204).send();
  });
}
