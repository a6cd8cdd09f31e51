// os-interface on the server's host (nova compute manager attach_interface / detach_interface):
// attach runs while the API waits (Nova's call) and plugs the new port into the container live;
// detach is a task (Nova's cast) that unplugs the port live and deletes or unbinds it. Both under
// the server's lock, recorded as instance action events.
import type { TaskHandler } from '../task-runner.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { PortRow } from '../../db/repositories/neutron-networks-repo.js';
import type { NetworkRequest } from '../../compute/network/requested-networks.js';
import type { DetachInterfacePayload } from '../../compute/network/interface-attachments.js';
import type { ManagerDeps } from './deps.js';
import { hostAndDriver } from './respawn.js';
import { recordFault } from './safety.js';

export async function attachInterface(
  d: ManagerDeps,
  instance: InstanceRow,
  r: NetworkRequest,
  requesterIsAdmin: boolean,
  requestId: string | null,
): Promise<PortRow> {
  const { host } = await hostAndDriver(d, instance);
  return d.actions.event(instance.uuid, requestId, 'compute_attach_interface', host.name, () =>
    d.novaNetwork.attachOne(instance, host, r, requesterIsAdmin),
  );
}

export function detachInterfaceHandler(d: ManagerDeps): TaskHandler<DetachInterfacePayload> {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted) return;
    const host = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute_detach_interface', host?.name ?? null, () =>
        d.novaNetwork.detachOne(instance.uuid, ctx.payload.portId),
      );
    } catch (err) {
      d.log.warn({ err, instance: instance.uuid }, 'detach interface failed');
      await recordFault(d, instance.uuid, err, host?.name ?? null);
    }
  };
}
