// /servers/{id}/os-volume_attachments (nova volume_attachments.py). novadock has no block storage
// service: a server has no volume attachments, and every volume id names a volume that does not
// exist, so attach, swap and detach end where Nova's would on the volume lookup (404 VolumeNotFound),
// after the same query, body, policy and state checks.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest, InstanceInvalidState, NotFound } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { VmState } from '../../../compute/servers/states.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { assertActionable } from '../../../compute/servers/guards.js';
import { assertKnownQuery, lastParam } from '../paging-params.js';
import { volumeAttachBodies, volumeSwapBodies } from './schemas/server-attachments.js';

const VolumeNotFound = (id: string) => new NotFound(`Volume ${id} could not be found.`);
/** nova compute/api.py attach_volume: check_instance_state. */
const ATTACH_VM_STATES: string[] = [
  VmState.ACTIVE,
  VmState.PAUSED,
  VmState.STOPPED,
  VmState.RESIZED,
  VmState.SOFT_DELETED,
  VmState.SHELVED,
  VmState.SHELVED_OFFLOADED,
];
const SHELVED: string[] = [VmState.SHELVED, VmState.SHELVED_OFFLOADED];

/** limit and offset are non-negative integers (parameter_types.non_negative_integer); others 400 from 2.75. */
function checkIndexQuery(req: FastifyRequest): void {
  assertKnownQuery(req, ['limit', 'offset']);
  const q = req.query as Record<string, unknown>;
  for (const name of ['limit', 'offset']) {
    const raw = lastParam(q[name]);
    if (raw !== undefined && !/^[0-9]+$/.test(raw)) {
      throw new BadRequest(
        `Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`,
      );
    }
  }
}

/** Before 2.20 a shelved server can have no volume attached or detached (_check_request_version). */
function checkShelved(req: FastifyRequest, row: InstanceRow, method: string): void {
  if (SHELVED.includes(row.vm_state) && req.apiVersion.lt('2.20'))
    throw new InstanceInvalidState('vm_state', row.vm_state, method, row.uuid);
}

export async function volumeAttachmentRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers/:id/os-volume_attachments`;
  type P = { Params: { id: string; volumeId: string } };

  app.get<P>(base, async (req) => {
    checkIndexQuery(req);
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-volumes-attachments:index');
    return { volumeAttachments: [] };
  });

  app.get<P>(`${base}/:volumeId`, async (req) => {
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-volumes-attachments:show');
    throw new NotFound(`Instance ${req.params.id} is not attached to volume ${req.params.volumeId}`);
  });

  app.post<P>(base, { config: { bodies: volumeAttachBodies } }, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'write', 'os_compute_api:os-volumes-attachments:create');
    const { volumeId } = (req.body as { volumeAttachment: { volumeId: string } }).volumeAttachment;
    checkShelved(req, row, 'attach_volume');
    assertActionable(row, req.auth, { vmState: ATTACH_VM_STATES, taskState: [null] }, 'attach_volume');
    throw VolumeNotFound(volumeId);
  });

  // Below 2.85 every PUT is a swap (admin; Cinder calls it): the attached volume in the path is
  // looked up first, and there is none.
  app.put<P>(`${base}/:volumeId`, { config: { bodies: volumeSwapBodies } }, async (req) => {
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'admin', 'os_compute_api:os-volumes-attachments:swap');
    throw VolumeNotFound(req.params.volumeId);
  });

  app.delete<P>(`${base}/:volumeId`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'write', 'os_compute_api:os-volumes-attachments:delete');
    checkShelved(req, row, 'detach_volume');
    throw VolumeNotFound(req.params.volumeId);
  });
}
