// The common frame of a server-action task on the worker (nova compute/manager.py: the
// @wrap_instance_fault / @reverts_task_state / @wrap_instance_event decorators around each
// method). It reloads the server, runs only if the server still carries the task_state the API
// claimed, records the action's event (Success/Error), does the work through the host's driver,
// reads the power state back from the driver and writes the final state with task_state None.
// A failure records a fault and reverts task_state; a container that has vanished (drift:
// power_state 0) turns the server ERROR with the fault "container missing".
import type { TaskContext } from '../task-runner.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { ComputeDriver, InstanceInfo } from '../../virt/driver.js';
import { DriverError } from '../../errors.js';
import { VmState } from '../../compute/servers/states.js';
import type { ManagerDeps } from './deps.js';
import { isPreempted, recordFault } from './safety.js';
import { PowerState } from '../../virt/power-state.js';

/** Raised when the server's container is gone (Docker says "no such container"). */
export class ContainerMissing extends DriverError {
  constructor(uuid: string) {
    super(`Instance ${uuid} container missing`, 'not-found');
  }
}

export interface InstanceTaskScope {
  instance: InstanceRow;
  host: ComputeHostRow;
  driver: ComputeDriver;
}

export interface InstanceTaskSpec {
  /** the task_state the API claimed; the task runs only while the server still has it */
  taskState: string;
  /** the os-instance-actions event name, e.g. compute_stop_instance */
  event: string;
  /** check that the container exists before the work (false for actions that create one) */
  requireContainer?: boolean;
}

/**
 * Runs `work`, which returns the final columns (vm_state…); power_state is then read from the
 * driver unless `work` set it. task_state goes back to None in the same compare-and-swap.
 */
export async function runInstanceTask(
  d: ManagerDeps,
  ctx: TaskContext<unknown>,
  spec: InstanceTaskSpec,
  work: (scope: InstanceTaskScope) => Promise<Partial<InstanceRow>>,
): Promise<void> {
  const instance = await d.instances.findByUuid(ctx.instanceUuid);
  if (!instance || instance.deleted || instance.task_state !== spec.taskState) return;
  const host = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
  try {
    await d.actions.event(instance.uuid, ctx.requestId, spec.event, host?.name ?? null, async () => {
      if (!host) throw new ContainerMissing(instance.uuid);
      const driver = await d.hosts.driverFor(host.id);
      if (spec.requireContainer !== false) await assertContainer(driver, instance.uuid);
      const final = await work({ instance, host, driver });
      if (final.power_state === undefined) final.power_state = (await infoOrMissing(driver, instance.uuid)).powerState;
      await d.instances.updateWithExpectedTaskState(
        instance.uuid,
        {
          ...final,
          task_state: null,
          updated_at: d.clock.now().toISOString(),
        },
        [spec.taskState],
      );
    });
  } catch (err) {
    if (isPreempted(err)) return;
    const missing = isContainerMissing(err);
    d.log.warn({ err, instance: instance.uuid, task: spec.taskState }, 'instance task failed');
    await recordFault(d, instance.uuid, missing ? new ContainerMissing(instance.uuid) : err, host?.name ?? null);
    const changes: Partial<InstanceRow> = { task_state: null, updated_at: d.clock.now().toISOString() };
    if (missing) Object.assign(changes, { vm_state: VmState.ERROR, power_state: PowerState.NOSTATE });
    await d.instances.updateWithExpectedTaskState(instance.uuid, changes, [spec.taskState]).catch((e) => {
      if (!isPreempted(e)) d.log.error({ err: e, instance: instance.uuid }, 'could not revert task_state');
    });
  }
}

export function isContainerMissing(err: unknown): boolean {
  return err instanceof ContainerMissing || (err instanceof DriverError && err.kind === 'not-found');
}

async function assertContainer(driver: ComputeDriver, uuid: string): Promise<void> {
  const info = await infoOrMissing(driver, uuid);
  if (info.status === 'missing' || info.powerState === PowerState.NOSTATE) throw new ContainerMissing(uuid);
}

async function infoOrMissing(driver: ComputeDriver, uuid: string): Promise<InstanceInfo> {
  return driver.getInfo(uuid);
}
