// The server actions Nova knows that a Docker host cannot carry out, answered as a real Nova
// deployment answers them in novadock's situation (nova-docker driver, no Neutron security groups,
// one host per container, no floating IPs): after the same policy, lock and state checks as Nova's
// compute/api.py, with the exception Nova raises at that point and its code and wording. None of
// them changes the server or records an instance action (each refusal comes where Nova refuses
// before `_record_action_start`); injectNetworkInfo is a 202 no-op because it is one in Nova too
// (the base driver's inject_network_info does nothing and nova-docker does not override it).
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { BadRequest, Conflict, NotFound } from '../../../errors.js';
import { addressesOf, type InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { HostsRepo } from '../../../db/repositories/hosts-repo.js';
import type { ImagePort } from '../../ports.js';
import { assertActionable, assertLaunched, assertNotLocked, assertState } from '../guards.js';
import { VmState } from '../states.js';

export interface UnsupportedActionsDeps {
  hostsRepo: HostsRepo;
  images: Pick<ImagePort, 'getForBoot'>;
  /** the host's name when its compute service is down (heartbeat), else null */
  hostDown?: (hostId: number) => Promise<string | null>;
}

export class UnsupportedActionsApi {
  constructor(private readonly d: UnsupportedActionsDeps) {}

  /**
   * rescue: nova-docker leaves the driver's rescue unimplemented (a container has no second disk
   * to boot a rescue system from). Refused as compute/api.py refuses an instance it cannot rescue:
   * InstanceNotRescuable, 400, before the task_state claim — so the server is not put into ERROR
   * as the failed cast would do.
   */
  async rescue(auth: AuthContext, instance: InstanceRow, rescueImageRef: string | undefined): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-rescue');
    assertActionable(
      instance,
      auth,
      { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] },
      'rescue',
    );
    if (rescueImageRef !== undefined) {
      try {
        await this.d.images.getForBoot(auth, rescueImageRef);
      } catch (err) {
        if (err instanceof NotFound || err instanceof BadRequest)
          throw new BadRequest(`Requested rescue image '${rescueImageRef}' is not supported`);
        throw err;
      }
    }
    throw new BadRequest(
      `Instance ${instance.uuid} cannot be rescued: Driver Error: the Docker driver does not support rescue`,
    );
  }

  /** unrescue: only a RESCUED server can be unrescued, and no server here is ever rescued (409). */
  async unrescue(auth: AuthContext, instance: InstanceRow): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-unrescue');
    assertNotLocked(instance, auth);
    assertState(instance, { vmState: [VmState.RESCUED], taskState: [null] }, 'unrescue');
    // Unreachable through the API (nothing sets vm_state rescued), kept so the method never claims success.
    throw new Conflict(`Cannot 'unrescue' instance ${instance.uuid} while it is in vm_state ${instance.vm_state}`);
  }

  /**
   * evacuate (admin): Nova first checks the target host (404 unknown, 400 same as the source),
   * then the state, then that the source compute service is DOWN (ComputeServiceInUse, 400).
   * With the source down, Nova's scheduler would rebuild elsewhere; a container's files live in
   * the dead engine, so here the answer is the scheduler's NoValidHost (400), as for migrate.
   */
  async evacuate(auth: AuthContext, instance: InstanceRow, host: string | undefined): Promise<never> {
    authorize(auth, 'admin', 'os_compute_api:os-evacuate');
    const hosts = await this.d.hostsRepo.list();
    if (host !== undefined && !hosts.some((h) => h.name === host))
      throw new NotFound(`Compute host ${host} not found.`);
    const source = hosts.find((h) => h.id === instance.host_id);
    if (host !== undefined && source?.name === host) throw new BadRequest("The target host can't be the same one.");
    assertState(instance, { vmState: [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR], taskState: [null] }, 'evacuate');
    assertLaunched(instance, 'evacuate');
    if (source && this.d.hostDown && (await this.d.hostDown(source.id)) === null) {
      throw new BadRequest(`Compute service of ${source.name} is still in use.`);
    }
    throw new BadRequest(
      "No valid host was found. A server's container cannot be rebuilt on another Docker host (evacuate is not supported)",
    );
  }

  /** injectNetworkInfo (admin): lock-checked, then the driver's no-op (202, nothing recorded). */
  async injectNetworkInfo(auth: AuthContext, instance: InstanceRow): Promise<void> {
    authorize(auth, 'admin', 'os_compute_api:os-admin-actions:inject_network_info');
    assertNotLocked(instance, auth);
  }

  /** addFixedIp (< 2.44): a container has one address per network (Docker's), never a second one. */
  async addFixedIp(auth: AuthContext, instance: InstanceRow, networkId: string | number): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-multinic:add');
    assertNotLocked(instance, auth);
    throw new BadRequest(`No fixed IP addresses available for network: ${networkId}`);
  }

  /** removeFixedIp (< 2.44): an address the server does not have is Nova's 400; its only address cannot go. */
  async removeFixedIp(auth: AuthContext, instance: InstanceRow, address: string): Promise<never> {
    authorize(auth, 'write', 'os_compute_api:os-multinic:remove');
    assertNotLocked(instance, auth);
    const own = addressesOf(instance).find((a) => a.addr === address);
    if (!own) throw new BadRequest(`Instance ${instance.uuid} does not have fixed IP '${address}'.`);
    throw new BadRequest(
      `Instance ${instance.uuid} cannot remove fixed IP '${address}': it is the container's only address on network ${own.network}`,
    );
  }
}
