// /os-availability-zone (any project member) and /detail (admin): the zones of the compute hosts
// (and, in the detail, the "internal" zone of the control services). A host's zone comes from
// its aggregates, else from NOVADOCK_COMPUTE_HOSTS (compute/hosts/host-zones.ts).
// nova/api/openstack/compute/availability_zone.py.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { INTERNAL_ZONE } from '../../../compute/hosts/compute-services.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderZoneDetail, renderZoneList } from './compute-services-views.js';

export async function availabilityZoneRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { hostOverview: computeServices } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-availability-zone`;

  app.get(base, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-availability-zone:list');
    const zones = (await computeServices.zones()).filter((z) => z.name !== INTERNAL_ZONE);
    // Nova lists the available zones first, then those whose every host is disabled.
    return renderZoneList([...zones.filter((z) => z.available), ...zones.filter((z) => !z.available)]);
  });

  app.get(`${base}/detail`, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-availability-zone:detail');
    const zones = await computeServices.zones();
    return renderZoneDetail([...zones.filter((z) => z.available), ...zones.filter((z) => !z.available)]);
  });
}
