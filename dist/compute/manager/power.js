import { imageProperties } from '../../db/repositories/images-repo.js';
import { PowerState, TaskState, VmState } from '../states.js';
import { runInstanceTask } from './instance-task.js';
export const POWER_TASKS = {
    stop: 'power.stop',
    start: 'power.start',
    reboot: 'power.reboot',
    pause: 'power.pause',
    unpause: 'power.unpause',
    suspend: 'power.suspend',
    resume: 'power.resume',
};
/** nova _get_power_off_values: the image's os_shutdown_timeout, else the configured default. */
export async function shutdownTimeout(d, instance) {
    const image = await d.findImage(instance.image_ref).catch(() => undefined);
    const raw = image ? imageProperties(image).os_shutdown_timeout : undefined;
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isInteger(n) && n >= 0 ? n : d.stopTimeoutSeconds;
}
const DEFS = [
    {
        kind: POWER_TASKS.stop, taskStates: [TaskState.POWERING_OFF], event: 'compute_stop_instance',
        work: async (d, s) => {
            await s.driver.powerOff(s.instance.uuid, await shutdownTimeout(d, s.instance));
            return { vm_state: VmState.STOPPED };
        },
    },
    {
        kind: POWER_TASKS.start, taskStates: [TaskState.POWERING_ON], event: 'compute_start_instance',
        work: async (_d, s) => {
            await s.driver.powerOn(s.instance.uuid);
            return { vm_state: VmState.ACTIVE };
        },
    },
    {
        kind: POWER_TASKS.reboot, taskStates: [TaskState.REBOOTING, TaskState.REBOOTING_HARD], event: 'compute_reboot_instance',
        work: async (d, s, payload) => {
            const type = payload.type === 'HARD' ? 'HARD' : 'SOFT';
            await s.driver.reboot(s.instance.uuid, type, await shutdownTimeout(d, s.instance));
            return { vm_state: VmState.ACTIVE };
        },
    },
    {
        kind: POWER_TASKS.pause, taskStates: [TaskState.PAUSING], event: 'compute_pause_instance',
        work: async (_d, s) => { await s.driver.pause(s.instance.uuid); return { vm_state: VmState.PAUSED }; },
    },
    {
        kind: POWER_TASKS.unpause, taskStates: [TaskState.UNPAUSING], event: 'compute_unpause_instance',
        work: async (_d, s) => { await s.driver.unpause(s.instance.uuid); return { vm_state: VmState.ACTIVE }; },
    },
    {
        kind: POWER_TASKS.suspend, taskStates: [TaskState.SUSPENDING], event: 'compute_suspend_instance',
        work: async (_d, s) => {
            await s.driver.suspend(s.instance.uuid);
            return { vm_state: VmState.SUSPENDED, power_state: PowerState.SUSPENDED };
        },
    },
    {
        kind: POWER_TASKS.resume, taskStates: [TaskState.RESUMING], event: 'compute_resume_instance',
        work: async (_d, s) => { await s.driver.resume(s.instance.uuid); return { vm_state: VmState.ACTIVE }; },
    },
];
function handlerFor(d, def) {
    return async (ctx) => {
        // The task_state this task's API call claimed (a HARD reboot's differs from a SOFT one's, so a
        // SOFT reboot overtaken by a HARD one finds its claim gone and steps aside).
        const taskState = def.kind === POWER_TASKS.reboot && ctx.payload?.type === 'HARD' ? TaskState.REBOOTING_HARD : def.taskStates[0];
        await runInstanceTask(d, ctx, { taskState, event: def.event }, (scope) => def.work(d, scope, ctx.payload ?? {}));
    };
}
export function registerPowerHandlers(worker, d) {
    for (const def of DEFS)
        worker.registerHandler(def.kind, handlerFor(d, def));
}
//# sourceMappingURL=power.js.map