// GET /servers/{id}/os-instance-actions and /{request_id} (nova instance_actions.py). Paging
// (limit, marker) and changes-since from 2.58, changes-before from 2.66; unknown query keys are
// 400 from 2.58 (its query schema forbids them); earlier versions ignore the query.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest, InvalidDateTimeQuery, additionalPropertyMessage } from '../../../errors.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { lastParam, nextLink, readPaging } from '../paging-params.js';
import { renderAction, renderEvent } from './views/instance-actions.js';
import type { ActionListFilter } from '../../../compute/servers/instance-actions-api.js';
import { parseIsoTime } from '../../../db/time.js';

function isoParam(req: FastifyRequest, name: string): string | undefined {
  const raw = lastParam((req.query as Record<string, unknown>)[name]);
  if (raw === undefined) return undefined;
  const t = parseIsoTime(raw);
  if (!t) throw InvalidDateTimeQuery(name, raw);
  return t.date.toISOString();
}

function listFilter(req: FastifyRequest): ActionListFilter {
  const v = req.apiVersion;
  if (v.lt('2.58')) return {};
  const allowed = ['limit', 'marker', 'changes-since', ...(v.gte('2.66') ? ['changes-before'] : [])];
  for (const key of Object.keys(req.query as Record<string, unknown>)) {
    if (!allowed.includes(key)) throw new BadRequest(additionalPropertyMessage(key));
  }
  const paging = readPaging(req.query as Record<string, unknown>);
  return {
    ...paging,
    changesSince: isoParam(req, 'changes-since'),
    changesBefore: v.gte('2.66') ? isoParam(req, 'changes-before') : undefined,
  };
}

export async function instanceActionRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { config } = opts.services;
  const instanceActionsApi = opts.services.serverActions.instanceActions;
  const base = `${COMPUTE_PREFIX}/servers/:id/os-instance-actions`;

  app.get<{ Params: { id: string } }>(base, async (req) => {
    const filter = listFilter(req);
    const { actions } = await instanceActionsApi.list(req.auth, req.apiVersion, req.params.id, filter);
    const out: Record<string, unknown> = { instanceActions: actions.map((a) => renderAction(req.apiVersion, a)) };
    const next = nextLink(
      req,
      config.publicUrl,
      `servers/${req.params.id}/os-instance-actions`,
      filter,
      actions,
      () => actions[actions.length - 1].request_id,
    );
    if (next) out.links = [{ rel: 'next', href: next }];
    return out;
  });

  app.get<{ Params: { id: string; requestId: string } }>(`${base}/:requestId`, async (req) => {
    const d = await instanceActionsApi.show(req.auth, req.apiVersion, req.params.id, req.params.requestId);
    const action = renderAction(req.apiVersion, d.action);
    if (d.events) {
      const projectId = d.action.project_id ?? d.instance.project_id;
      action.events = d.events.map((e) => renderEvent(req.apiVersion, e, projectId, d));
    }
    return { instanceAction: action };
  });
}
