import { DriverError } from '../../errors.js';
import { PowerState, VmState } from '../states.js';
import { isPreempted, recordFault } from './safety.js';
/** Raised when the server's container is gone (Docker says "no such container"). */
export class ContainerMissing extends DriverError {
    constructor(uuid) { super(`Instance ${uuid} container missing`, 'not-found'); }
}
/**
 * Runs `work`, which returns the final columns (vm_state…); power_state is then read from the
 * driver unless `work` set it. task_state goes back to None in the same compare-and-swap.
 */
export async function runInstanceTask(d, ctx, spec, work) {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted || instance.task_state !== spec.taskState)
        return;
    const host = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
    try {
        await d.actions.event(instance.uuid, ctx.requestId, spec.event, host?.name ?? null, async () => {
            if (!host)
                throw new ContainerMissing(instance.uuid);
            const driver = await d.hosts.driverFor(host.id);
            if (spec.requireContainer !== false)
                await assertContainer(driver, instance.uuid);
            const final = await work({ instance, host, driver });
            if (final.power_state === undefined)
                final.power_state = (await infoOrMissing(driver, instance.uuid)).powerState;
            await d.instances.updateWithExpectedTaskState(instance.uuid, {
                ...final, task_state: null, updated_at: d.clock.now().toISOString(),
            }, [spec.taskState]);
        });
    }
    catch (err) {
        if (isPreempted(err))
            return;
        const missing = isContainerMissing(err);
        d.log.warn({ err, instance: instance.uuid, task: spec.taskState }, 'instance task failed');
        await recordFault(d, instance.uuid, missing ? new ContainerMissing(instance.uuid) : err, host?.name ?? null);
        const changes = { task_state: null, updated_at: d.clock.now().toISOString() };
        if (missing)
            Object.assign(changes, { vm_state: VmState.ERROR, power_state: PowerState.NOSTATE });
        await d.instances.updateWithExpectedTaskState(instance.uuid, changes, [spec.taskState]).catch((e) => {
            if (!isPreempted(e))
                d.log.error({ err: e, instance: instance.uuid }, 'could not revert task_state');
        });
    }
}
export function isContainerMissing(err) {
    return err instanceof ContainerMissing || (err instanceof DriverError && err.kind === 'not-found');
}
async function assertContainer(driver, uuid) {
    const info = await infoOrMissing(driver, uuid);
    if (info.status === 'missing' || info.powerState === PowerState.NOSTATE)
        throw new ContainerMissing(uuid);
}
async function infoOrMissing(driver, uuid) {
    return driver.getInfo(uuid);
}
//# sourceMappingURL=instance-task.js.map