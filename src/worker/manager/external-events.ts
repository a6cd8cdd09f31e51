// The compute manager's side of os-server-external-events (nova compute/manager.py
// external_instance_event and the handlers it calls), for a Docker host: no Neutron, no Cinder,
// no Cyborg, and a driver without Ironic's power_update_event.
//   network-changed      Nova refreshes the info cache from Neutron: there is no Neutron here.
//   network-vif-deleted  Nova detaches the VIF with that Neutron port id: no server has one.
//   volume-extended      Nova's extend_volume (event compute_extend_volume) finds no attachment of
//                        the volume (novadock attaches none), logs it and returns: Success.
//   power-update         Nova's power_update (event compute_power_update): a no-op unless the
//                        server is idle and ACTIVE/RUNNING (POWER_OFF) or STOPPED/SHUTDOWN
//                        (POWER_ON); then task_state powering-off/on, and the driver's
//                        power_update_event raises NotImplementedError (only Ironic has one): a
//                        fault, an Error event, task_state back to None.
//   anything else        wakes a build waiting for it; novadock builds wait for no event, so Nova's
//                        "Received unexpected event" warning.
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { InstanceLocks } from '../instance-locks.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import type { ManagerDeps } from './deps.js';
import { isPreempted, recordFault } from './safety.js';
import { POWER_OFF, POWER_ON, type DispatchedEvent } from '../../compute/servers/external-events.js';
import { PowerState } from '../../virt/power-state.js';

export interface ExternalEventsManagerDeps extends ManagerDeps {
  locks: InstanceLocks;
}

/** What Nova's base ComputeDriver.power_update_event raises for every driver but Ironic. */
export class PowerUpdateNotImplemented extends Error {
  constructor() {
    super('NotImplementedError'); // Nova's fault and event details carry the class name
    this.name = 'NotImplementedError';
  }
}

/**
 * Handles one host's events in order, as one RPC cast does: an event that fails (power-update)
 * ends the cast, so the events after it on that host are not handled (Nova's loop has no
 * try/except around power_update).
 */
export async function handleHostEvents(
  d: ExternalEventsManagerDeps,
  requestId: string,
  events: DispatchedEvent[],
): Promise<void> {
  for (const event of events) {
    try {
      await handleEvent(d, requestId, event);
    } catch (err) {
      d.log.warn(
        { err, instance: event.instance.uuid, event: event.name },
        "external event failed; the rest of this host's events are dropped",
      );
      return;
    }
  }
}

async function handleEvent(d: ExternalEventsManagerDeps, requestId: string, e: DispatchedEvent): Promise<void> {
  const uuid = e.instance.uuid;
  switch (e.name) {
    case 'network-changed':
    case 'network-vif-deleted':
      d.log.info({ instance: uuid, event: e.name, tag: e.tag }, 'no Neutron: nothing to refresh or detach');
      return;
    case 'volume-extended':
      await d.actions.event(uuid, requestId, 'compute_extend_volume', e.hostName, async () => {
        d.log.warn(
          { instance: uuid, volume: e.tag },
          'Extend volume failed, the volume is not attached to the instance.',
        );
      });
      return;
    case 'power-update':
      await powerUpdate(d, requestId, e);
      return;
    default:
      d.log.warn({ instance: uuid, event: `${e.name}-${e.tag}` }, 'Received unexpected event');
  }
}

/** nova _is_state_valid_for_power_update_event. */
export function isStateValidForPowerUpdate(row: InstanceRow, target: string): boolean {
  if (row.deleted || row.task_state !== null) return false;
  if (target === POWER_ON) return row.vm_state === VmState.STOPPED && row.power_state === PowerState.SHUTDOWN;
  if (target === POWER_OFF) return row.vm_state === VmState.ACTIVE && row.power_state === PowerState.RUNNING;
  return false;
}

async function powerUpdate(d: ExternalEventsManagerDeps, requestId: string, e: DispatchedEvent): Promise<void> {
  const uuid = e.instance.uuid;
  const target = e.tag ?? '';
  const claimed = target === POWER_ON ? TaskState.POWERING_ON : TaskState.POWERING_OFF;
  let didClaim = false;
  try {
    await d.actions.event(uuid, requestId, 'compute_power_update', e.hostName, () =>
      d.locks.run(uuid, async () => {
        const row = await d.instances.findByUuid(uuid);
        if (!row || !isStateValidForPowerUpdate(row, target)) {
          d.log.info({ instance: uuid, target }, 'The power-update event is a no-op in this state.');
          return;
        }
        const changes: Partial<InstanceRow> = { task_state: claimed, updated_at: d.clock.now().toISOString() };
        if (target === POWER_OFF) changes.progress = 0;
        try {
          await d.instances.updateWithExpectedTaskState(uuid, changes, [null]);
        } catch (err) {
          if (!isPreempted(err)) throw err;
          d.log.info({ instance: uuid, target }, 'The power-update event was possibly preempted.');
          return;
        }
        didClaim = true;
        const err = new PowerUpdateNotImplemented(); // the driver has no power_update_event
        await recordFault(d, uuid, err, e.hostName);
        throw err;
      }),
    );
  } finally {
    // reverts_task_state: only the claim this event made, and only while it still holds.
    if (didClaim) {
      await d.instances
        .updateWithExpectedTaskState(uuid, { task_state: null, updated_at: d.clock.now().toISOString() }, [claimed])
        .catch((err) => {
          if (!isPreempted(err)) d.log.error({ err, instance: uuid }, 'could not revert task_state');
        });
    }
  }
}
