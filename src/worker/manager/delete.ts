// Delete a server (nova compute manager terminate_instance): remove the container (a missing one
// is fine), remove the config drive, then mark the row deleted (quota is counted from live rows,
// so this releases it). The API has already set task_state deleting. If Docker fails, the server
// goes to ERROR with a fault and the user may delete again.
import type { TaskHandler } from '../task-runner.js';
import { VmState, TaskState } from '../../compute/servers/states.js';
import type { ManagerDeps } from './deps.js';
import { recordFault } from './safety.js';
import { PowerState } from '../../virt/power-state.js';

export function deleteHandler(d: ManagerDeps): TaskHandler {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted) return;
    const host = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
    try {
      await d.actions.event(
        instance.uuid,
        ctx.requestId,
        'compute_terminate_instance',
        host?.name ?? null,
        async () => {
          if (host) await (await d.hosts.driverFor(host.id)).destroy(instance.uuid);
          await d.configDrives.remove(instance.uuid);
          // Its ports: Nova's deleted (their floating IPs disassociated), the user's unbound and kept
          await d.novaNetwork.deallocate(instance);
          const now = d.clock.now().toISOString();
          await d.instances.update(instance.uuid, {
            vm_state: VmState.DELETED,
            task_state: null,
            power_state: PowerState.NOSTATE,
            deleted: true,
            deleted_at: now,
            terminated_at: now,
            updated_at: now,
            addresses_json: null,
          });
        },
      );
    } catch (err) {
      await recordFault(d, instance.uuid, err, host?.name ?? null);
      await d.instances
        .updateWithExpectedTaskState(
          instance.uuid,
          {
            vm_state: VmState.ERROR,
            task_state: null,
            updated_at: d.clock.now().toISOString(),
          },
          [TaskState.DELETING],
        )
        .catch(() => undefined);
    }
  };
}
