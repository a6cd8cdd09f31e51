// Admin and rarely-supported actions (nova admin_actions.py, migrate_server.py, crash dump,
// changePassword). What a container host cannot do is refused the way Nova refuses it when its
// driver or its scheduler cannot: after the same policy, lock and state checks, with Nova's code
// and message, so clients show the familiar error.
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { BadRequest, Conflict, computeHostNotFound } from '../../../errors.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { HostsRepo } from '../../../db/repositories/hosts-repo.js';
import { assertNotLocked, assertState } from '../guards.js';
import { VmState } from '../states.js';
import { beginAction, type ActionApiDeps } from './begin-action.js';

const SET_PASSWORD_UNSUPPORTED = 'Set admin password is not supported';

export type ResetTarget = 'active' | 'error';

export class AdminActionsApi {
  constructor(
    private readonly d: ActionApiDeps,
    private readonly hostsRepo: HostsRepo,
  ) {}

  /** os-resetState: vm_state active|error, task_state None; no lock or state check (nova _reset_state). */
  async resetState(auth: AuthContext, requestId: string, instance: InstanceRow, state: ResetTarget): Promise<void> {
    authorize(auth, 'admin', 'os_compute_api:os-admin-actions:reset_state');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'resetState',
      action: 'resetState',
      checkLock: false,
      taskStates: 'any',
      taskState: null,
      changes: { vm_state: state === 'active' ? VmState.ACTIVE : VmState.ERROR, task_state: null },
    });
  }

  /**
   * migrate (cold): nova compute/api.py resize without a flavor, ACTIVE or STOPPED. A container
   * cannot move to another Docker engine here, so the scheduler's answer is always NoValidHost (400).
   */
  async migrate(auth: AuthContext, instance: InstanceRow, host: string | null): Promise<never> {
    authorize(auth, 'admin', 'os_compute_api:os-migrate-server:migrate');
    assertNotLocked(instance, auth);
    assertState(instance, { vmState: [VmState.ACTIVE, VmState.STOPPED], taskState: [null] }, 'migrate');
    await this.assertHostKnown(host);
    throw new BadRequest(`No valid host was found. ${await this.noHostReason(instance, 'cold migrate')}`);
  }

  /** os-migrateLive: ACTIVE or PAUSED; same answer as migrate (a running container cannot be moved live). */
  async liveMigrate(auth: AuthContext, instance: InstanceRow, host: string | null): Promise<never> {
    authorize(auth, 'admin', 'os_compute_api:os-migrate-server:migrate_live');
    assertNotLocked(instance, auth);
    assertState(instance, { vmState: [VmState.ACTIVE, VmState.PAUSED], taskState: [null] }, 'live_migrate');
    await this.assertHostKnown(host);
    throw new BadRequest(`No valid host was found. ${await this.noHostReason(instance, 'live migration')}`);
  }

  /** trigger_crash_dump (2.17): Docker has no NMI to inject; Nova's TriggerCrashDumpNotSupported → 400. */
  async triggerCrashDump(auth: AuthContext, instance: InstanceRow): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:servers:trigger_crash_dump');
    assertNotLocked(instance, auth);
    assertState(
      instance,
      {
        vmState: [VmState.ACTIVE, VmState.PAUSED, VmState.RESCUED, VmState.RESIZED, VmState.ERROR],
        taskState: [null],
      },
      'trigger_crash_dump',
    );
    throw new BadRequest('Triggering crash dump is not supported');
  }

  /**
   * changePassword: a container has no guest agent to set a password through (Nova's libvirt
   * without the QEMU agent answers the same 409). The attempt is recorded as a failed action.
   */
  async changePassword(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-admin-password');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'set_admin_password',
      action: 'changePassword',
      vmStates: [VmState.ACTIVE],
      taskState: null,
    });
    await this.d.actions
      .event(instance.uuid, requestId, 'compute_set_admin_password', null, async () => {
        throw new Error(SET_PASSWORD_UNSUPPORTED);
      })
      .catch(() => undefined);
    throw new Conflict(SET_PASSWORD_UNSUPPORTED);
  }

  private async assertHostKnown(host: string | null): Promise<void> {
    if (host === null) return;
    const hosts = await this.hostsRepo.list();
    if (!hosts.some((h) => h.name === host)) throw new BadRequest(computeHostNotFound(host));
  }

  private async noHostReason(instance: InstanceRow, what: string): Promise<string> {
    const others = (await this.hostsRepo.list()).filter((h) => h.id !== instance.host_id && !h.disabled);
    return others.length === 0
      ? `No valid host found for ${what}`
      : `A server's container cannot be moved between Docker hosts (${what} is not supported)`;
  }
}
