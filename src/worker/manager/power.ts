// The worker side of the power actions (nova compute/manager.py stop_instance, start_instance,
// reboot_instance, pause/unpause_instance, suspend/resume_instance): the Docker work through the
// host's driver, then the final vm_state; power_state is read back from the driver (suspend
// records SUSPENDED: the container's cgroup is frozen, which Docker reports as paused).
import type { TaskHandler, TaskRunner } from '../task-runner.js';
import { imageProperties, type ImageRow } from '../../db/repositories/images-repo.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import type { ManagerDeps } from './deps.js';
import { runInstanceTask, type InstanceTaskScope } from './instance-task.js';
import { POWER_TASKS } from '../../compute/tasks.js';
import { PowerState } from '../../virt/power-state.js';

export interface PowerManagerDeps extends ManagerDeps {
  /** default grace period for a clean shutdown (config.stopTimeoutSeconds, nova shutdown_timeout) */
  stopTimeoutSeconds: number;
  /** the server's image, for its os_shutdown_timeout property (undefined when it is gone) */
  findImage(imageRef: string): Promise<ImageRow | undefined>;
}

/** nova _get_power_off_values: the image's os_shutdown_timeout, else the configured default. */
export async function shutdownTimeout(d: PowerManagerDeps, instance: InstanceRow): Promise<number> {
  const image = await d.findImage(instance.image_ref).catch(() => undefined);
  const raw = image ? imageProperties(image).os_shutdown_timeout : undefined;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : d.stopTimeoutSeconds;
}

type Work = (
  d: PowerManagerDeps,
  s: InstanceTaskScope,
  payload: Record<string, unknown>,
) => Promise<Partial<InstanceRow>>;

interface PowerTaskDef {
  kind: string;
  taskStates: string[];
  event: string;
  work: Work;
}

const DEFS: PowerTaskDef[] = [
  {
    kind: POWER_TASKS.stop,
    taskStates: [TaskState.POWERING_OFF],
    event: 'compute_stop_instance',
    work: async (d, s) => {
      await s.driver.powerOff(s.instance.uuid, await shutdownTimeout(d, s.instance));
      await d.novaNetwork.portsUp(s.instance.uuid, false);
      return { vm_state: VmState.STOPPED };
    },
  },
  {
    kind: POWER_TASKS.start,
    taskStates: [TaskState.POWERING_ON],
    event: 'compute_start_instance',
    work: async (d, s) => {
      await s.driver.powerOn(s.instance.uuid);
      await d.novaNetwork.portsUp(s.instance.uuid, true);
      return { vm_state: VmState.ACTIVE };
    },
  },
  {
    kind: POWER_TASKS.reboot,
    taskStates: [TaskState.REBOOTING, TaskState.REBOOTING_HARD],
    event: 'compute_reboot_instance',
    work: async (d, s, payload) => {
      const type = payload.type === 'HARD' ? 'HARD' : 'SOFT';
      await s.driver.reboot(s.instance.uuid, type, await shutdownTimeout(d, s.instance));
      await d.novaNetwork.portsUp(s.instance.uuid, true);
      return { vm_state: VmState.ACTIVE };
    },
  },
  {
    kind: POWER_TASKS.pause,
    taskStates: [TaskState.PAUSING],
    event: 'compute_pause_instance',
    work: async (_d, s) => {
      await s.driver.pause(s.instance.uuid);
      return { vm_state: VmState.PAUSED };
    },
  },
  {
    kind: POWER_TASKS.unpause,
    taskStates: [TaskState.UNPAUSING],
    event: 'compute_unpause_instance',
    work: async (_d, s) => {
      await s.driver.unpause(s.instance.uuid);
      return { vm_state: VmState.ACTIVE };
    },
  },
  {
    kind: POWER_TASKS.suspend,
    taskStates: [TaskState.SUSPENDING],
    event: 'compute_suspend_instance',
    work: async (_d, s) => {
      await s.driver.suspend(s.instance.uuid);
      return { vm_state: VmState.SUSPENDED, power_state: PowerState.SUSPENDED };
    },
  },
  {
    kind: POWER_TASKS.resume,
    taskStates: [TaskState.RESUMING],
    event: 'compute_resume_instance',
    work: async (_d, s) => {
      await s.driver.resume(s.instance.uuid);
      return { vm_state: VmState.ACTIVE };
    },
  },
];

function handlerFor(d: PowerManagerDeps, def: PowerTaskDef): TaskHandler<Record<string, unknown>> {
  return async (ctx) => {
    // The task_state this task's API call claimed (a HARD reboot's differs from a SOFT one's, so a
    // SOFT reboot overtaken by a HARD one finds its claim gone and steps aside).
    const taskState =
      def.kind === POWER_TASKS.reboot && ctx.payload?.type === 'HARD' ? TaskState.REBOOTING_HARD : def.taskStates[0];
    await runInstanceTask(d, ctx, { taskState, event: def.event }, (scope) => def.work(d, scope, ctx.payload ?? {}));
  };
}

export function registerPowerHandlers(worker: TaskRunner, d: PowerManagerDeps): void {
  for (const def of DEFS) worker.registerHandler(def.kind, handlerFor(d, def));
}
