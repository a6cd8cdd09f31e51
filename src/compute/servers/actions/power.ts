// Power and lifecycle actions of the compute API (nova compute/api.py stop, start, reboot, pause,
// unpause, suspend, resume). Each one: policy, lock check, state allow-list, task_state claim,
// instance action, task for the worker (manager/power.ts) — all through `beginAction`.
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import { ALLOW_HARD_REBOOT, ALLOW_SOFT_REBOOT, TaskState, VmState } from '../states.js';
import { beginAction, type ActionApiDeps } from './begin-action.js';
import { POWER_TASKS } from '../../tasks.js';

/**
 * Task states a HARD reboot may interrupt (nova task_states.ALLOW_REBOOT): idle, an earlier
 * reboot, and the pause/suspend transitions, so a stuck server can always be hard-rebooted.
 */
export const ALLOW_REBOOT_TASK: readonly (string | null)[] = [
  null,
  TaskState.REBOOTING,
  TaskState.REBOOT_PENDING,
  TaskState.REBOOT_STARTED,
  TaskState.RESUMING,
  TaskState.REBOOTING_HARD,
  TaskState.REBOOT_PENDING_HARD,
  TaskState.REBOOT_STARTED_HARD,
  TaskState.UNPAUSING,
  TaskState.PAUSING,
  TaskState.SUSPENDING,
];

export type RebootType = 'SOFT' | 'HARD';

export class PowerApi {
  constructor(private readonly d: ActionApiDeps) {}

  /** os-stop: ACTIVE or ERROR → powering-off → SHUTOFF (nova force_stop). */
  async stop(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:servers:stop');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'stop',
      action: 'stop',
      vmStates: [VmState.ACTIVE, VmState.ERROR],
      taskState: TaskState.POWERING_OFF,
      task: { kind: POWER_TASKS.stop },
    });
  }

  /** os-start: SHUTOFF → powering-on → ACTIVE. */
  async start(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:servers:start');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'start',
      action: 'start',
      vmStates: [VmState.STOPPED],
      taskState: TaskState.POWERING_ON,
      task: { kind: POWER_TASKS.start },
    });
  }

  /** reboot: SOFT from ACTIVE only while idle; HARD also from SHUTOFF/PAUSED/SUSPENDED/ERROR and over other reboots. */
  async reboot(auth: AuthContext, requestId: string, instance: InstanceRow, type: RebootType): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:servers:reboot');
    const hard = type === 'HARD';
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'reboot',
      action: 'reboot',
      vmStates: hard ? ALLOW_HARD_REBOOT : ALLOW_SOFT_REBOOT,
      taskStates: hard ? ALLOW_REBOOT_TASK : [null],
      taskState: hard ? TaskState.REBOOTING_HARD : TaskState.REBOOTING,
      task: { kind: POWER_TASKS.reboot, payload: { type } },
    });
  }

  async pause(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-pause-server:pause');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'pause',
      action: 'pause',
      vmStates: [VmState.ACTIVE],
      taskState: TaskState.PAUSING,
      task: { kind: POWER_TASKS.pause },
    });
  }

  async unpause(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-pause-server:unpause');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'unpause',
      action: 'unpause',
      vmStates: [VmState.PAUSED],
      taskState: TaskState.UNPAUSING,
      task: { kind: POWER_TASKS.unpause },
    });
  }

  async suspend(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-suspend-server:suspend');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'suspend',
      action: 'suspend',
      vmStates: [VmState.ACTIVE],
      taskState: TaskState.SUSPENDING,
      task: { kind: POWER_TASKS.suspend },
    });
  }

  async resume(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-suspend-server:resume');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'resume',
      action: 'resume',
      vmStates: [VmState.SUSPENDED],
      taskState: TaskState.RESUMING,
      task: { kind: POWER_TASKS.resume },
    });
  }
}
