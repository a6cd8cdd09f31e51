// /os-aggregates (admin, read-only): Nova implements availability zones as host aggregates with
// an availability_zone metadata key; here each zone other than the default one is shown as such
// an aggregate of its hosts (clients such as `openstack hypervisor show` read them). Aggregates
// cannot be created or changed: the zone of a host comes from NOVADOCK_COMPUTE_HOSTS.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { authorize } from '../../identity/policy';
import { NotFound } from '../../errors';
import { INTERNAL_ZONE } from '../../compute/compute-services';
import { COMPUTE_PREFIX } from '../urls';
import { naiveMicros } from './views/compute-services';
import { derivedUuid } from '../../compute/compute-services';

export async function aggregateRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { hostOverview, config } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-aggregates`;

  async function aggregates(v: { gte(x: string): boolean }) {
    const zones = (await hostOverview.zones()).filter((z) => z.name !== INTERNAL_ZONE && z.name !== config.defaultAvailabilityZone);
    return zones.map((z, i) => {
      const created = z.services.map((s) => s.hostRow?.created_at ?? '').filter(Boolean).sort()[0] ?? null;
      return {
        availability_zone: z.name,
        created_at: naiveMicros(created),
        deleted: false,
        deleted_at: null,
        hosts: z.services.map((s) => s.host),
        id: i + 1,
        metadata: { availability_zone: z.name },
        name: z.name,
        updated_at: null,
        ...(v.gte('2.41') ? { uuid: derivedUuid(`novadock:aggregate:${z.name}`) } : {}),
      };
    });
  }

  app.get(base, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-aggregates:index');
    return { aggregates: await aggregates(req.apiVersion) };
  });

  app.get<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-aggregates:show');
    const found = (await aggregates(req.apiVersion)).find((a) => String(a.id) === req.params.id);
    if (!found) throw new NotFound(`Aggregate ${req.params.id} could not be found.`);
    return { aggregate: found };
  });
}
