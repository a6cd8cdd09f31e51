// One Neutron collection's five routes: list (filters, fields, sort, paging, links), show (fields),
// create (201), update, delete (204). Bodies are checked with the resource's attribute map, so that
// errors read as Neutron's; the OpenAPI document gets the derived schemas.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAdmin, type AuthContext } from '../../identity/auth-context.js';
import type { Caller } from '../../network/network-service.js';
import type { NeutronError } from '../../network/errors.js';
import { prepareBody, type AttrMap } from './attrs.js';
import { bodySchema } from './body-schemas.js';
import {
  applyList,
  parseListQuery,
  selectFields,
  type CustomFilter,
  type Query,
  type ResourceSpec,
} from './list-query.js';

export const NETWORK_PREFIX = '/networking';
export const V2 = `${NETWORK_PREFIX}/v2.0`;
export type Item = Record<string, unknown>;

/** The caller as the network service sees it. */
export function callerOf(req: FastifyRequest): Caller {
  const auth: AuthContext = req.auth;
  return { projectId: auth.projectId ?? '', isAdmin: isAdmin(auth) };
}

export interface Crud {
  collection: string;
  member: string;
  attrs: AttrMap;
  list: ResourceSpec;
  custom?: Record<string, CustomFilter>;
  notFound: (id: string) => NeutronError;
  all(c: Caller): Promise<Item[]>;
  one(c: Caller, id: string): Promise<Item>;
  create?(c: Caller, body: Item): Promise<Item>;
  update?(c: Caller, id: string, body: Item): Promise<Item>;
  remove?(c: Caller, id: string): Promise<void>;
}

const tags = ['network'];

export function crud(app: FastifyInstance, baseUrl: (req: FastifyRequest) => string, r: Crud): void {
  const base = `${V2}/${r.collection}`;
  const key = r.collection.replace(/-/g, '_');
  type P = { Params: { id: string }; Querystring: Query };
  app.get<P>(base, { schema: { tags, summary: `List ${r.collection}` } }, async (req) => {
    const c = callerOf(req);
    const lq = parseListQuery(req.query, r.list, r.custom);
    const page = applyList(await r.all(c), lq, req.query, `${baseUrl(req)}${base}`, r.notFound);
    const out: Item = { [key]: page.items.map((i) => selectFields(i, lq.fields)) };
    if (page.links.length) out[`${key}_links`] = page.links;
    return out;
  });
  app.get<P>(`${base}/:id`, { schema: { tags, summary: `Show a ${r.member}` } }, async (req) => {
    const fields = req.query.fields === undefined ? {} : { fields: req.query.fields };
    const lq = parseListQuery(fields, {});
    return { [r.member]: selectFields(await r.one(callerOf(req), req.params.id), lq.fields) };
  });
  if (r.create) {
    const create = r.create;
    app.post<P>(
      base,
      { schema: { tags, summary: `Create a ${r.member}` }, config: { docBody: bodySchema(r.member, r.attrs, true) } },
      async (req, reply) => {
        const body = prepareBody(r.member, req.body, r.attrs, true);
        return reply.code(201).send({ [r.member]: await create(callerOf(req), body) });
      },
    );
  }
  if (r.update) {
    const update = r.update;
    app.put<P>(
      `${base}/:id`,
      {
        schema: { tags, summary: `Update a ${r.member}` },
        config: { docBody: bodySchema(r.member, r.attrs, false, []) },
      },
      async (req) => ({
        [r.member]: await update(callerOf(req), req.params.id, prepareBody(r.member, req.body, r.attrs, false)),
      }),
    );
  }
  if (r.remove) {
    const remove = r.remove;
    app.delete<P>(`${base}/:id`, { schema: { tags, summary: `Delete a ${r.member}` } }, async (req, reply) => {
      await remove(callerOf(req), req.params.id);
      return reply.code(204).send();
    });
  }
}
