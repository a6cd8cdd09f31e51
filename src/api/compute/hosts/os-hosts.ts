// /os-hosts (admin; nova/api/openstack/compute/hosts.py), what `openstack host list/show` and `nova
// host-*` use; gone from 2.43 (404), as in Nova. The list and a host's resources are read from
// the services and hypervisors; enabling a host, maintenance mode and host power actions are Nova's
// 501s for a virt driver that does not implement them (nova-docker did not either): os-services
// disable is the way to take a host out of scheduling.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { NotFound, NotImplemented, computeHostNotFound } from '../../../errors.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { lastParam } from '../paging-params.js';
import { renderHostList, renderHostResources } from './os-hosts-views.js';

const doc = (summary: string) => ({ tags: ['compute hosts'], summary });
const POLICY = (name: string) => `os_compute_api:os-hosts:${name}`;
const cfg = { maxVersion: '2.42' };
const ENABLE_WORDS = ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE'];
/** nova schemas/hosts.py update: status and/or maintenance_mode, one of Nova's words each. */
const UPDATE_BODY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ENABLE_WORDS },
    maintenance_mode: { type: 'string', enum: ENABLE_WORDS },
  },
  anyOf: [{ required: ['status'] }, { required: ['maintenance_mode'] }],
  additionalProperties: false,
};

export async function osHostRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { hostOverview } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-hosts`;
  type P = { Params: { host: string } };

  /** nova HostAPI._assert_host_exists: a compute host by that name. */
  async function assertComputeHost(name: string): Promise<void> {
    if (!(await hostOverview.list({ host: name, binary: 'nova-compute' })).length)
      throw new NotFound(computeHostNotFound(name));
  }

  app.get(base, { schema: doc('List hosts (below 2.43)'), config: cfg }, async (req) => {
    authorize(req.auth, 'admin', POLICY('list'));
    const zone = lastParam((req.query as Record<string, unknown>).zone);
    const services = (await hostOverview.list()).filter((s) => !s.disabled && (!zone || s.zone === zone));
    return renderHostList(services);
  });

  app.get<P>(
    `${base}/:host`,
    { schema: doc('Show the resources of a host (below 2.43)'), config: cfg },
    async (req) => {
      authorize(req.auth, 'admin', POLICY('show'));
      const report = await hostOverview.hostReport(req.params.host);
      if (!report) throw new NotFound(`Host '${req.params.host}' is not mapped to any cell`);
      return renderHostResources(req.params.host, report.hypervisor, report.byProject);
    },
  );

  app.put<P>(
    `${base}/:host`,
    {
      schema: doc('Enable a host or set maintenance mode (below 2.43)'),
      config: { ...cfg, bodies: [{ min: '2.1', schema: UPDATE_BODY }] },
    },
    async (req) => {
      authorize(req.auth, 'admin', POLICY('update'));
      await assertComputeHost(req.params.host);
      const body = req.body as { status?: string; maintenance_mode?: string };
      if (body.status !== undefined) throw new NotImplemented('Virt driver does not implement host disabled status.');
      throw new NotImplemented('Virt driver does not implement host maintenance mode.');
    },
  );

  for (const action of ['startup', 'shutdown', 'reboot'] as const) {
    const policy = action === 'startup' ? 'start' : action;
    app.get<P>(
      `${base}/:host/${action}`,
      { schema: doc(`Host power action ${action} (below 2.43)`), config: cfg },
      async (req) => {
        authorize(req.auth, 'admin', POLICY(policy));
        await assertComputeHost(req.params.host);
        throw new NotImplemented('Virt driver does not implement host power management.');
      },
    );
  }
}
